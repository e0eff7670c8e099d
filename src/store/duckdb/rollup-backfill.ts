import type { DuckDBConnection } from "@duckdb/node-api";
import { DAY_MS } from "../../mau/calendar.js";
import {
  type BackfillOptions,
  type BackfillSpan,
  type BackfillSteps,
  buildRollup,
  type RollupBackfill,
  rollupBuildingError,
  rollupMissingError,
  startBackfill,
} from "../rollup-backfill.js";
import { utcDayStart } from "./schema.js";

/** Runs a body in one transaction on the sink's writer, in turn with its batches. */
export type WriterTransaction = <T>(body: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;

/**
 * The DuckDB sink's rollup backfill: in the background of the open sink, one UTC day per transaction on
 * the writer queue, so batches keep being stored meanwhile (each waits at most for one day's step) and
 * DuckDB holds one day's distinct rows at a time, never the stored events. A day without events skips
 * ahead to the next day that has some. DuckDB has one writer process, so there is no lock to take.
 */
export function startDuckDbBackfill(
  transaction: WriterTransaction,
  options: BackfillOptions,
): RollupBackfill {
  const steps: BackfillSteps = {
    pending: () => transaction(readSpan),
    step: (span) => transaction((conn) => buildDay(conn, span)),
  };
  return startBackfill((signal) => buildRollup(steps, signal, options), options);
}

const SPAN = `SELECT epoch_ms(first_day) AS first_day, epoch_ms(next_day) AS next_day,
  epoch_ms(last_day) AS last_day FROM daily_activity_backfill`;

/** The backfill row, undefined when there is none (the rollup is complete). */
export async function readSpan(conn: DuckDBConnection): Promise<BackfillSpan | undefined> {
  const reader = await conn.runAndReadAll(SPAN);
  const row = reader.getRows()[0];
  if (row === undefined) return undefined;
  const [firstDay, nextDay, lastDay] = row.map(Number) as [number, number, number];
  return { firstDay, nextDay, lastDay };
}

const instant = (ms: number) => new Date(ms).toISOString();

async function buildDay(
  conn: DuckDBConnection,
  span: BackfillSpan,
): Promise<{ left: BackfillSpan | undefined; events: number }> {
  const from = span.nextDay;
  const until = from + DAY_MS;
  const range = [instant(from), instant(until)];
  const counted = await conn.runAndReadAll(
    "SELECT count(*) FROM events WHERE time >= CAST($1 AS TIMESTAMPTZ) AND time < CAST($2 AS TIMESTAMPTZ)",
    range,
  );
  const events = Number(counted.getRows()[0]?.[0] ?? 0);
  if (events > 0) {
    await conn.run(
      `INSERT INTO daily_activity (tenant, time, user_kind, protocol, "user")
       SELECT DISTINCT tenant, ${utcDayStart("time")}, user_kind, protocol, "user" FROM events
       WHERE time >= CAST($1 AS TIMESTAMPTZ) AND time < CAST($2 AS TIMESTAMPTZ) AND "user" <> ''
       ON CONFLICT DO NOTHING`,
      range,
    );
  }
  const next = events > 0 ? until : await nextDayWithEvents(conn, until);
  if (next === undefined || next > span.lastDay) {
    await conn.run("DELETE FROM daily_activity_backfill");
    return { left: undefined, events };
  }
  await conn.run("UPDATE daily_activity_backfill SET next_day = CAST($1 AS TIMESTAMPTZ)", [instant(next)]);
  return { left: { ...span, nextDay: next }, events };
}

/** The UTC day of the first event at or after `from`, undefined when there is none. */
async function nextDayWithEvents(conn: DuckDBConnection, from: number): Promise<number | undefined> {
  const reader = await conn.runAndReadAll(
    `SELECT epoch_ms(${utcDayStart("min(time)")}) FROM events WHERE time >= CAST($1 AS TIMESTAMPTZ)`,
    [instant(from)],
  );
  const value = reader.getRows()[0]?.[0];
  return value === null || value === undefined ? undefined : Number(value);
}

/**
 * Rejects while the rollup is incomplete, for the query layer's `checkRollup`: the backfill row exists,
 * or the database (opened read-only) predates the rollup.
 */
export async function checkRollupComplete(conn: DuckDBConnection): Promise<void> {
  const tables = await conn.runAndReadAll(
    "SELECT count(*)::INTEGER FROM information_schema.tables WHERE table_name = 'daily_activity_backfill'",
  );
  if (tables.getRows()[0]?.[0] !== 1) throw rollupMissingError();
  const span = await readSpan(conn);
  if (span !== undefined) throw rollupBuildingError(span);
}
