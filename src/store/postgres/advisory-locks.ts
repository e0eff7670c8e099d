/**
 * Transaction-scoped advisory locks the PostgreSQL sink takes, as (class, object) key pairs. The class
 * is "te" in ASCII so the keys are unlikely to collide with another application's in the same database.
 */
const LOCK_CLASS = 0x7465;

/** Held while migrating the schema. */
export const LOCK_MIGRATIONS = 1;
/** Held while creating an events partition: concurrent CREATE TABLE IF NOT EXISTS can still collide. */
export const LOCK_PARTITIONS = 2;

export function advisoryLockSql(object: number): string {
  return `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${Math.trunc(object)})`;
}
