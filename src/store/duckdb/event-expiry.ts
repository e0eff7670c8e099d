import type { DuckDBConnection } from "@duckdb/node-api";
import type { ExpireResult } from "../sink.js";
import { readSpan } from "./rollup-backfill.js";

/**
 * Deletes the raw events before `before`, in one statement on the writer (so never between a backfill
 * step's reads); nothing while the backfill row exists, since those events may not be in the rollup yet.
 */
export async function expireDuckDbEvents(conn: DuckDBConnection, before: Date): Promise<ExpireResult> {
  if ((await readSpan(conn)) !== undefined) return { deleted: 0, deferred: true };
  const result = await conn.run("DELETE FROM events WHERE time < CAST($1 AS TIMESTAMPTZ)", [
    before.toISOString(),
  ]);
  return { deleted: Number(result.rowsChanged), deferred: false };
}
