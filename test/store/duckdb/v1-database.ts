import { DuckDBInstance } from "@duckdb/node-api";
import { MIGRATIONS } from "../../../src/store/duckdb/schema.js";
import { insertEventsSql, type LegacyEvent } from "../legacy-events.js";

/**
 * A DuckDB file as the sink left it at schema version 1 (before the daily activity rollup): migration 1
 * alone, its version row, and the events inserted as that version stored them.
 */
export async function createV1Database(path: string, events: readonly LegacyEvent[]): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    await conn.run(
      "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
    );
    for (const statement of MIGRATIONS[0]!.statements) await conn.run(statement);
    await conn.run("INSERT INTO schema_version VALUES (1, now())");
    for (let i = 0; i < events.length; i += 5_000)
      await conn.run(insertEventsSql(events.slice(i, i + 5_000)));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
