import type { DuckDBConnection } from "@duckdb/node-api";
import { FailedPreconditionError } from "../../errors/errors.js";
import { USAGE_COUNTS } from "../../activity/usage-report-rules.js";

/**
 * The DuckDB sink's schema, as ordered migrations. A database records the migrations applied to it in
 * `schema_version`; opening applies the missing ones, each in its own transaction with its version row,
 * so a crash mid-migration leaves the previous version intact. Never edit a released migration: append.
 *
 * Tables (the query layer builds MAU SQL on these; quote "user", a DuckDB keyword):
 * - events(tenant, id, time TIMESTAMPTZ, type, "user", user_kind TINYINT (tenants.UserKind), protocol,
 *   cluster, session_kind, received_at TIMESTAMPTZ), primary key (tenant, id). Empty strings, never NULL.
 * - usage_reports(tenant, time, cluster, users … auth_connectors BIGINT, received_at), primary key
 *   (tenant, cluster, time).
 * - daily_activity(tenant, time TIMESTAMPTZ (the UTC day's start), user_kind, protocol, "user"), primary
 *   key all five: the daily activity rollup, one row per (tenant, UTC day, user kind, protocol, user)
 *   among the events with a user, derived exactly from `events` (Dialect.dailyActivity).
 * - daily_activity_backfill(singleton, first_day, next_day, last_day TIMESTAMPTZ): present while the
 *   rollup still has to be built from events stored before it existed, for the UTC days
 *   `next_day`..`last_day` (migration 2 records the span of the events it found, `first_day`..`last_day`;
 *   `first_day` stays, so progress can be told); no row means the rollup is complete.
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
        tenant VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        time TIMESTAMPTZ NOT NULL,
        type VARCHAR NOT NULL,
        "user" VARCHAR NOT NULL,
        user_kind TINYINT NOT NULL,
        protocol VARCHAR NOT NULL,
        cluster VARCHAR NOT NULL,
        session_kind VARCHAR NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant, id)
      )`,
      `CREATE TABLE usage_reports (
        tenant VARCHAR NOT NULL,
        time TIMESTAMPTZ NOT NULL,
        cluster VARCHAR NOT NULL,
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
        tenant VARCHAR NOT NULL,
        time TIMESTAMPTZ NOT NULL,
        user_kind TINYINT NOT NULL,
        protocol VARCHAR NOT NULL,
        "user" VARCHAR NOT NULL,
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
];

/** The start (00:00 UTC) of the UTC day of a TIMESTAMPTZ expression, as a TIMESTAMPTZ. */
export function utcDayStart(expression: string): string {
  return `make_timestamptz(epoch_us(date_trunc('day', make_timestamp(epoch_us(${expression})))))`;
}

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer build. */
export async function migrate(connection: DuckDBConnection): Promise<number> {
  await connection.run(
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
  );
  const current = await currentVersion(connection);
  if (current > SCHEMA_VERSION) {
    throw new FailedPreconditionError(
      `the DuckDB database has schema version ${current}, newer than this build supports (${SCHEMA_VERSION})`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    await connection.run("BEGIN TRANSACTION");
    try {
      for (const statement of migration.statements) await connection.run(statement);
      await connection.run("INSERT INTO schema_version VALUES ($1, now())", [migration.version]);
      await connection.run("COMMIT");
    } catch (err) {
      await connection.run("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }
  return SCHEMA_VERSION;
}

export async function currentVersion(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll(
    "SELECT coalesce(max(version), 0)::INTEGER FROM schema_version",
  );
  const value = reader.getRows()[0]?.[0];
  return typeof value === "number" ? value : 0;
}
