import type pg from "pg";
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
import { advisoryUnlockSql, LOCK_ROLLUP_BACKFILL, tryAdvisorySessionLockSql } from "./advisory-locks.js";
import { type Queryable, utcDayStart, utcMonthStart } from "./schema.js";

/**
 * The PostgreSQL sink's rollup backfill, in the background of the open sink (open does not wait: a
 * replica keeps storing batches, which write their own rollup rows, while one replica builds).
 *
 * Several tenants-service replicas may open at once: the one that takes the session-scoped advisory lock
 * LOCK_ROLLUP_BACKFILL builds, on one pooled connection held for the build; the others find it taken and
 * look again every `retryMs`, so a replica that dies mid-build (its session, and so its lock, ends) is
 * taken over where it stopped. Each step is one transaction over the rest of `next_day`'s UTC month, at
 * most: one events partition, scanned once (`events` has no index on time, so a day a transaction would
 * scan the month's partition once a day), its distinct rows aggregated by PostgreSQL, which spills to
 * disk past work_mem rather than holding them in memory.
 */
export function startPostgresBackfill(pool: pg.Pool, options: BackfillOptions): RollupBackfill {
  let waitingLogged = false;
  return startBackfill(async (signal) => {
    if ((await readSpan(pool)) === undefined) return "complete";
    const client = await pool.connect();
    let failed: unknown;
    try {
      const locked = await client.query<{ locked: boolean }>(tryAdvisorySessionLockSql(LOCK_ROLLUP_BACKFILL));
      if (locked.rows[0]?.locked !== true) {
        if (!waitingLogged) {
          waitingLogged = true;
          options.logger.info(
            "another sink is building the daily activity rollup from the stored events; MAU is refused until it completes",
          );
        }
        return (await readSpan(client)) === undefined ? "complete" : "busy";
      }
      try {
        return await buildRollup(stepsOn(client), signal, options);
      } finally {
        await client.query(advisoryUnlockSql(LOCK_ROLLUP_BACKFILL));
      }
    } catch (err) {
      failed = err;
      throw err;
    } finally {
      // A connection that failed mid-build may be broken, and may still hold the lock: discard it.
      client.release(failed instanceof Error ? failed : undefined);
    }
  }, options);
}

function stepsOn(client: pg.PoolClient): BackfillSteps {
  return {
    pending: () => readSpan(client),
    step: async (span) => {
      await client.query("BEGIN");
      try {
        const result = await buildRange(client, span);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    },
  };
}

const SPAN = `SELECT (extract(epoch FROM first_day) * 1000)::bigint AS first_day,
  (extract(epoch FROM next_day) * 1000)::bigint AS next_day,
  (extract(epoch FROM last_day) * 1000)::bigint AS last_day
FROM daily_activity_backfill`;

interface SpanRow {
  first_day: bigint;
  next_day: bigint;
  last_day: bigint;
}

/** The backfill row, undefined when there is none (the rollup is complete). */
export async function readSpan(db: Queryable, forUpdate = false): Promise<BackfillSpan | undefined> {
  const result = await db.query<SpanRow>(forUpdate ? `${SPAN} FOR UPDATE` : SPAN);
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return { firstDay: Number(row.first_day), nextDay: Number(row.next_day), lastDay: Number(row.last_day) };
}

/** The start of the UTC month after the one `ms` falls in. */
function nextMonthStart(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/**
 * One pass over `events` for the range: grouping by the rollup's key with a count gives both the rows
 * to insert (daily, and their months for `monthly_activity`) and the events read (for the progress
 * line); each INSERT runs once whether or not the outer query reads it, as a data-modifying WITH always
 * does.
 */
const BUILD_RANGE = `WITH grouped AS (
  SELECT tenant, ${utcDayStart("time")} AS day, user_kind, protocol, "user", count(*) AS n
  FROM events
  WHERE time >= $1::timestamptz AND time < $2::timestamptz
  GROUP BY 1, 2, 3, 4, 5
), inserted AS (
  INSERT INTO daily_activity (tenant, time, user_kind, protocol, "user")
  SELECT tenant, day, user_kind, protocol, "user" FROM grouped WHERE "user" <> ''
  ON CONFLICT DO NOTHING
), monthly AS (
  INSERT INTO monthly_activity (tenant, time, user_kind, protocol, "user")
  SELECT DISTINCT tenant, ${utcMonthStart("day")}, user_kind, protocol, "user" FROM grouped WHERE "user" <> ''
  ON CONFLICT DO NOTHING
)
SELECT coalesce(sum(n), 0)::bigint AS events FROM grouped`;

async function buildRange(
  client: pg.PoolClient,
  expected: BackfillSpan,
): Promise<{ left: BackfillSpan | undefined; events: number }> {
  // Read under the row lock: a replica that took the build over after this one's session ended may
  // have moved on.
  const span = await readSpan(client, true);
  if (span === undefined) return { left: undefined, events: 0 };
  if (span.nextDay !== expected.nextDay) return { left: span, events: 0 };
  const until = Math.min(span.lastDay + DAY_MS, nextMonthStart(span.nextDay));
  const built = await client.query<{ events: bigint }>(BUILD_RANGE, [
    new Date(span.nextDay).toISOString(),
    new Date(until).toISOString(),
  ]);
  const events = Number(built.rows[0]?.events ?? 0n);
  if (until > span.lastDay) {
    await client.query("DELETE FROM daily_activity_backfill");
    return { left: undefined, events };
  }
  await client.query("UPDATE daily_activity_backfill SET next_day = $1::timestamptz", [
    new Date(until).toISOString(),
  ]);
  return { left: { ...span, nextDay: until }, events };
}

/**
 * Rejects while the rollups are incomplete, for the query layer's `checkRollup`: the backfill row exists,
 * or the database predates them (its schema not migrated yet by a sink: version 1 has neither rollup,
 * version 2 no `monthly_activity`).
 */
export async function checkRollupComplete(db: Queryable): Promise<void> {
  const found = await db.query<{ daily: boolean; monthly: boolean }>(
    `SELECT to_regclass('daily_activity_backfill') IS NOT NULL AS daily,
       to_regclass('monthly_activity') IS NOT NULL AS monthly`,
  );
  const tables = found.rows[0];
  if (tables?.daily !== true) throw rollupMissingError();
  if (tables.monthly !== true) throw rollupMissingError("monthly activity rollup", "its daily one");
  const span = await readSpan(db);
  if (span !== undefined) throw rollupBuildingError(span);
}
