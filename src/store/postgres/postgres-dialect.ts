import { formatDay } from "../../mau/calendar.js";
import { positionalBinder, type Dialect } from "../../mau/dialect.js";

/**
 * The PostgreSQL sink's schema (schema.ts): `events` (partitioned by month on time), its activity
 * rollups `daily_activity` and `monthly_activity` (what MAU reads) and `usage_reports`, time
 * TIMESTAMPTZ, user_kind SMALLINT, empty strings rather than NULLs. Every value is a bound parameter. The time bounds compare the raw
 * column with parameters typed TIMESTAMPTZ, so the planner prunes the partitions of `events` outside the
 * queried months.
 */
export const postgresDialect: Dialect = {
  name: "postgres",
  // Parameters go untyped: PostgreSQL infers their type from the context (a CAST or a text column).
  binder: positionalBinder,
  events: { from: "events", where: "TRUE" },
  // Written by the sink with each batch, the exact projection of `events` (schema.ts).
  dailyActivity: { from: "daily_activity", where: "TRUE" },
  // The same at month grain, for monthly MAU: a row per user and protocol rather than per active day.
  monthlyActivity: { from: "monthly_activity", where: "TRUE" },
  usageReports: { from: "usage_reports", where: "TRUE" },
  isBot: "user_kind = 2",
  protocol: "protocol",
  cluster: "cluster",
  // TIMESTAMPTZ → the UTC wall clock (TIMESTAMP), whatever the session's TimeZone setting.
  utcTime: "(time AT TIME ZONE 'UTC')",
  // extract(epoch …) is exact (numeric) since PostgreSQL 14; floor keeps pre-epoch instants in their millisecond.
  epochMillis: (expression) => `CAST(floor(extract(epoch FROM ${expression}) * 1000) AS bigint)`,
  days: (count) => `make_interval(days => ${Math.trunc(count)})`,
  instant: (value, binder) => `CAST(${binder.text(value.toISOString())} AS timestamptz)`,
  dayCalendar: (from, to, binder) =>
    `generate_series(CAST(${binder.text(formatDay(from))} AS timestamp), ` +
    `CAST(${binder.text(formatDay(to))} AS timestamp), INTERVAL '1 day') AS calendar(day)`,
};
