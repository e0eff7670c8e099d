/**
 * Advisory locks the PostgreSQL sink takes, as (class, object) key pairs. The class is "te" in ASCII so
 * the keys are unlikely to collide with another application's in the same database.
 */
const LOCK_CLASS = 0x7465;

/** Held while migrating the schema. */
export const LOCK_MIGRATIONS = 1;
/**
 * Held while creating or dropping an events partition: concurrent CREATE TABLE IF NOT EXISTS can still
 * collide, and event retention must not drop a partition another sink is creating.
 */
export const LOCK_PARTITIONS = 2;
/** Held (session-scoped) by the one sink that builds the daily activity rollup from stored events. */
export const LOCK_ROLLUP_BACKFILL = 3;

/** Takes a transaction-scoped lock, waiting for it. */
export function advisoryLockSql(object: number): string {
  return `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${Math.trunc(object)})`;
}

/** Tries a session-scoped lock without waiting; the one column `locked` says whether it was taken. */
export function tryAdvisorySessionLockSql(object: number): string {
  return `SELECT pg_try_advisory_lock(${LOCK_CLASS}, ${Math.trunc(object)}) AS locked`;
}

/** Releases a session-scoped lock taken with tryAdvisorySessionLockSql. */
export function advisoryUnlockSql(object: number): string {
  return `SELECT pg_advisory_unlock(${LOCK_CLASS}, ${Math.trunc(object)})`;
}
