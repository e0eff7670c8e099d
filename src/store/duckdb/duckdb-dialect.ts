import { formatDay } from "../../mau/calendar.js";
import { positionalBinder, type Dialect } from "../../mau/dialect.js";

/**
 * The DuckDB sink's schema (schema.ts): `events`, its daily activity rollup `daily_activity` (what MAU
 * reads) and `usage_reports`, time TIMESTAMPTZ, user_kind TINYINT, empty strings rather than NULLs.
 * Every value is a bound parameter.
 */
export const duckDbDialect: Dialect = {
  name: "duckdb",
  binder: positionalBinder,
  events: { from: "events", where: "TRUE" },
  // Written by the sink with each batch, the exact projection of `events` (schema.ts).
  dailyActivity: { from: "daily_activity", where: "TRUE" },
  usageReports: { from: "usage_reports", where: "TRUE" },
  isBot: "user_kind = 2",
  protocol: "protocol",
  cluster: "cluster",
  // TIMESTAMPTZ → the UTC wall clock, whatever the session's TimeZone setting. Both types count
  // microseconds since the epoch, so reinterpreting the count is exact; timezone('UTC', time) gives the
  // same value through an ICU conversion per row, several times slower on large scans.
  utcTime: "make_timestamp(epoch_us(time))",
  epochMillis: (expression) => `epoch_ms(${expression})`,
  days: (count) => `INTERVAL ${Math.trunc(count)} DAY`,
  instant: (value, binder) => `CAST(${binder.text(value.toISOString())} AS TIMESTAMPTZ)`,
  dayCalendar: (from, to, binder) =>
    `UNNEST(generate_series(CAST(${binder.text(formatDay(from))} AS TIMESTAMP), ` +
    `CAST(${binder.text(formatDay(to))} AS TIMESTAMP), INTERVAL 1 DAY)) AS calendar(day)`,
};
