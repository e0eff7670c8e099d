/**
 * The synthetic month of activity the MAU benchmarks load straight into a sink's schema, as the SELECT
 * list of one `events` row from a row number `i` (DuckDB's range() or PostgreSQL's generate_series).
 *
 * 49 999 users; user u is active on 20 consecutive days of March 2025 starting at day u % 11, with two
 * protocols (one may be none, which counts in MAU only); one user in 50 is a bot. Row i belongs to user
 * i % 49 999 as that user's k-th event (k = i div 49 999), whose day and protocol cycle with k: after 40
 * events a user has met every (day, protocol) of theirs, so more events add no new activity. Who was
 * active on which day, what MAU depends on, stays the same from 2 M events on; only events per user grow.
 */
export const SYNTHETIC_USERS = 49_999;
export const SYNTHETIC_MONTH = { year: 2025, month: 3 } as const;
export const SYNTHETIC_MONTH_START_S = Date.UTC(2025, 2, 1) / 1000;

export type SyntheticEngine = "duckdb" | "postgres";

/**
 * tenant, id, time, type, "user", user_kind, protocol, cluster, session_kind, received_at: the column
 * order of both sinks' `events`, for `i`, a BIGINT row number.
 */
export function syntheticEventColumns(engine: SyntheticEngine, i: string): string {
  const div = engine === "duckdb" ? "//" : "/";
  const u = `(${i} % ${SYNTHETIC_USERS})`;
  const k = `(${i} ${div} ${SYNTHETIC_USERS})`;
  const day = `((${k} % 20) + ${u} % 11)`;
  const protocols =
    engine === "duckdb"
      ? "['', 'ssh', 'kube', 'db', 'app', 'desktop']"
      : "(ARRAY['', 'ssh', 'kube', 'db', 'app', 'desktop'])";
  const user = engine === "duckdb" ? `md5(CAST(${u} AS VARCHAR))` : `md5(${u}::text)`;
  return [
    "'bench'",
    `'e' || ${i}`,
    `to_timestamp(${SYNTHETIC_MONTH_START_S} + ${day} * 86400 + (${i} * 7919) % 86400)`,
    "'session.start'",
    user,
    `CASE WHEN ${u} % 50 = 0 THEN 2 ELSE 1 END`,
    `${protocols}[(${u} + (${k} ${div} 20) % 2) % 6 + 1]`,
    "'cluster'",
    "''",
    "now()",
  ].join(", ");
}

/** The daily activity rollup of every stored event, by the sinks' rule, given the engine's utcDayStart. */
export function rollupFromEventsSql(utcDayStart: (expression: string) => string): string {
  return `INSERT INTO daily_activity
  SELECT DISTINCT tenant, ${utcDayStart("time")}, user_kind, protocol, "user" FROM events WHERE "user" <> ''`;
}
