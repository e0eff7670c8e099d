import type pg from "pg";
import type { Logger } from "../../observability/logger.js";
import type { ExpireResult } from "../sink.js";
import { advisoryLockSql, LOCK_PARTITIONS } from "./advisory-locks.js";
import { nextMonth, type PartitionMonth, partitionName } from "./partitions.js";
import { readSpan } from "./rollup-backfill.js";

export interface ExpireOptions {
  /** How long dropping a partition waits for the lock on `events` before it fails. */
  lockTimeoutMs: number;
  logger: Logger;
}

const PARTITION_NAME = /^events_p(\d{4})_(\d{2})$/;

/**
 * Event retention on PostgreSQL, by whole UTC months: every monthly partition that ends at or before the
 * start of `before`'s month is dropped (no row-by-row delete, no bloat to vacuum), and the rows of
 * `events_default` before that start are deleted (the default partition is a small safety net). The
 * month `before` falls in is kept whole, so events stay up to a month longer than asked. Nothing is
 * deleted while the rollup backfill has days left.
 *
 * Each partition goes in its own short transaction under LOCK_PARTITIONS (so it never races a sink
 * creating it) with a `lock_timeout`: DROP needs an exclusive lock on `events` for a moment, which waits
 * for running batches and raw-event queries; a timeout fails the run, and the next run tries again. Its
 * rows are counted just before the drop, for the result.
 */
export async function expirePostgresEvents(
  pool: pg.Pool,
  before: Date,
  options: ExpireOptions,
): Promise<ExpireResult> {
  if ((await readSpan(pool)) !== undefined) return { deleted: 0, deferred: true };
  const cutoff = Date.UTC(before.getUTCFullYear(), before.getUTCMonth(), 1);
  let deleted = 0;
  for (const month of await partitionMonths(pool)) {
    const next = nextMonth(month);
    if (Date.UTC(next.year, next.month - 1, 1) > cutoff) continue;
    const rows = await dropPartition(pool, month, options.lockTimeoutMs);
    if (rows === undefined) continue;
    deleted += rows;
    options.logger.info(
      { partition: partitionName(month), events: rows },
      "postgres: events partition dropped",
    );
  }
  const fromDefault = await pool.query("DELETE FROM events_default WHERE time < $1::timestamptz", [
    new Date(cutoff).toISOString(),
  ]);
  return { deleted: deleted + (fromDefault.rowCount ?? 0), deferred: false };
}

/** The months of the monthly partitions attached to `events`, in calendar order. */
async function partitionMonths(pool: pg.Pool): Promise<PartitionMonth[]> {
  const result = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'events'::regclass ORDER BY c.relname`,
  );
  return result.rows.flatMap(({ name }) => {
    const match = PARTITION_NAME.exec(name);
    return match === null ? [] : [{ year: Number(match[1]), month: Number(match[2]) }];
  });
}

/** Counts then drops one partition; undefined when another sink dropped it first. */
async function dropPartition(
  pool: pg.Pool,
  month: PartitionMonth,
  lockTimeoutMs: number,
): Promise<number | undefined> {
  const name = partitionName(month);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    try {
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.trunc(lockTimeoutMs))}`);
      await client.query(advisoryLockSql(LOCK_PARTITIONS));
      const exists = await client.query<{ present: boolean }>(
        "SELECT to_regclass($1) IS NOT NULL AS present",
        [name],
      );
      if (exists.rows[0]?.present !== true) {
        await client.query("ROLLBACK");
        return undefined;
      }
      const counted = await client.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${name}`);
      await client.query(`DROP TABLE ${name}`);
      await client.query("COMMIT");
      return Number(counted.rows[0]?.n ?? 0n);
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  } finally {
    client.release();
  }
}
