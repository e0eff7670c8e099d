import type pg from "pg";
import { FailedPreconditionError } from "../../errors/errors.js";
import { USAGE_COUNTS } from "../../activity/usage-report-rules.js";
import { advisoryLockSql, LOCK_MIGRATIONS } from "./advisory-locks.js";

/**
 * The PostgreSQL sink's schema, as ordered migrations. A database records the migrations applied to it
 * in `schema_version`; opening applies the missing ones in one transaction under an advisory lock, so
 * sinks opening at once migrate once and a failure leaves the previous version intact (PostgreSQL's
 * DDL is transactional). Never edit a released migration: append.
 *
 * Tables (the query layer builds MAU SQL on these; quote "user", a keyword):
 * - events(tenant, id, time TIMESTAMPTZ, type, "user", user_kind SMALLINT (tenants.UserKind), protocol,
 *   cluster, session_kind, received_at TIMESTAMPTZ), PARTITION BY RANGE (time): one partition per UTC
 *   month, created on demand before a write (partitions.ts), plus `events_default` for anything outside
 *   them. Empty strings, never NULL.
 *   The primary key is (tenant, id, time): a partitioned table's unique keys must include the partition
 *   key. That is as good as (tenant, id) here because an event's time never changes under its id: the
 *   id is the audit event's uid or a hash of its canonical JSON (which includes the time), and a re-sent
 *   event is the same event, time included. So ON CONFLICT on the key drops every re-send.
 * - usage_reports(tenant, time, cluster, users … auth_connectors BIGINT, received_at), primary key
 *   (tenant, cluster, time).
 * - daily_activity(tenant, time TIMESTAMPTZ (the UTC day's start), user_kind, protocol, "user"), primary
 *   key all five: the daily activity rollup, one row per (tenant, UTC day, user kind, protocol, user)
 *   among the events with a user, derived exactly from `events` (Dialect.dailyActivity). Not
 *   partitioned: event retention drops `events` partitions and keeps this.
 * - daily_activity_backfill(singleton, first_day, next_day, last_day TIMESTAMPTZ): present while the
 *   rollup still has to be built from events stored before it existed, for the UTC days
 *   `next_day`..`last_day` (migration 2 records the span of the events it found, `first_day`..`last_day`;
 *   `first_day` stays, so progress can be told); no row means the rollup is complete.
 * - monthly_activity(tenant, time TIMESTAMPTZ (the UTC month's start), user_kind, protocol, "user"),
 *   primary key all five: the same rollup at month grain, the exact projection of `daily_activity` onto
 *   months (Dialect.monthlyActivity), written with it by every writer (the sink's statement, the backfill,
 *   migration 3 for the rows before it). Monthly MAU reads it: a user has a row per protocol here instead
 *   of one per protocol and active day, and PostgreSQL aggregates rows one at a time on one core.
 */
export interface Migration {
  version: number;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE events (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        time TIMESTAMPTZ NOT NULL,
        type TEXT NOT NULL,
        "user" TEXT NOT NULL,
        user_kind SMALLINT NOT NULL,
        protocol TEXT NOT NULL,
        cluster TEXT NOT NULL,
        session_kind TEXT NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant, id, time)
      ) PARTITION BY RANGE (time)`,
      `CREATE TABLE events_default PARTITION OF events DEFAULT`,
      `CREATE TABLE usage_reports (
        tenant TEXT NOT NULL,
        time TIMESTAMPTZ NOT NULL,
        cluster TEXT NOT NULL,
        ${USAGE_COUNTS.map((name) => `${name} BIGINT NOT NULL`).join(",\n        ")},
        received_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant, cluster, time)
      )`,
    ],
  },
  {
    version: 2,
    statements: [
      `CREATE TABLE daily_activity (
        tenant TEXT NOT NULL,
        time TIMESTAMPTZ NOT NULL,
        user_kind SMALLINT NOT NULL,
        protocol TEXT NOT NULL,
        "user" TEXT NOT NULL,
        PRIMARY KEY (tenant, time, user_kind, protocol, "user")
      )`,
      `CREATE TABLE daily_activity_backfill (
        singleton BOOLEAN PRIMARY KEY CHECK (singleton),
        first_day TIMESTAMPTZ NOT NULL,
        next_day TIMESTAMPTZ NOT NULL,
        last_day TIMESTAMPTZ NOT NULL
      )`,
      `INSERT INTO daily_activity_backfill
        SELECT TRUE, ${utcDayStart("min(time)")}, ${utcDayStart("min(time)")}, ${utcDayStart("max(time)")}
        FROM events HAVING count(*) > 0`,
    ],
  },
  {
    version: 3,
    statements: [
      `CREATE TABLE monthly_activity (
        tenant TEXT NOT NULL,
        time TIMESTAMPTZ NOT NULL,
        user_kind SMALLINT NOT NULL,
        protocol TEXT NOT NULL,
        "user" TEXT NOT NULL,
        PRIMARY KEY (tenant, time, user_kind, protocol, "user")
      )`,
      `INSERT INTO monthly_activity
        SELECT DISTINCT tenant, ${utcMonthStart("time")}, user_kind, protocol, "user" FROM daily_activity`,
    ],
  },
];

/** The start (00:00 UTC) of the UTC day of a TIMESTAMPTZ expression, as a TIMESTAMPTZ. */
export function utcDayStart(expression: string): string {
  return `(date_trunc('day', ${expression} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;
}

/** The start (00:00 UTC on the 1st) of the UTC month of a TIMESTAMPTZ expression, as a TIMESTAMPTZ. */
export function utcMonthStart(expression: string): string {
  return `(date_trunc('month', ${expression} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;
}

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** A connection that can run statements: a pg.Client or a pooled client. */
export type Queryable = Pick<pg.ClientBase, "query">;

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer build. */
export async function migrate(client: Queryable): Promise<number> {
  await client.query("BEGIN");
  try {
    await client.query(advisoryLockSql(LOCK_MIGRATIONS));
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
    );
    const current = await currentVersion(client);
    if (current > SCHEMA_VERSION) {
      throw new FailedPreconditionError(
        `the PostgreSQL database has schema version ${current}, newer than this build supports (${SCHEMA_VERSION})`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements) await client.query(statement);
      await client.query("INSERT INTO schema_version VALUES ($1, now())", [migration.version]);
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
  return SCHEMA_VERSION;
}

/** The applied version, 0 when `schema_version` is empty; the table must exist. */
export async function currentVersion(client: Queryable): Promise<number> {
  const result = await client.query<{ version: number }>(
    "SELECT coalesce(max(version), 0)::INTEGER AS version FROM schema_version",
  );
  return result.rows[0]?.version ?? 0;
}
