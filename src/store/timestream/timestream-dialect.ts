import { InvalidArgumentError } from "../../errors/errors.js";
import { ACTIVE_DAY_MEASURE, EVENT_MEASURE, USAGE_MEASURE } from "./timestream-records.js";
import { type TimestreamTable, timestreamTables } from "./timestream-tables.js";
import { DAY_MS, type Day } from "../../mau/calendar.js";
import { type Binder, type Dialect, quoteIdentifier } from "../../mau/dialect.js";

/**
 * Characters refused inside a Timestream string literal: control characters and lone surrogates. With
 * no bind parameters, a literal is the only way in; standard SQL literals have no escapes besides the
 * doubled quote, so refusing these and doubling quotes leaves nothing that can end the literal early.
 */
/* eslint-disable no-control-regex */
const UNSAFE_IN_LITERAL =
  /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/* eslint-enable no-control-regex */

/** A single-quoted Timestream string literal. */
export function quoteLiteral(value: string): string {
  if (UNSAFE_IN_LITERAL.test(value)) {
    throw new InvalidArgumentError("a query value contains a control character or an invalid code point");
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The Timestream sink's record model (timestream-records.ts): in the table, events as measure `active`
 * with dimensions (user_kind a VARCHAR "0"/"1"/"2"; an empty value is an absent dimension, read as
 * NULL), usage reports as the multi-measure `usage`; in the rollup table, daily activity as measure
 * `active_day` with the events' tenant, user, user_kind and protocol and `time` the UTC day's start.
 * Time is a UTC TIMESTAMP. Timestream has no bind parameters: values become quoted literals
 * (quoteLiteral).
 */
export function timestreamDialect(target: TimestreamTable): Dialect {
  const tables = timestreamTables(target);
  const from = `${quoteIdentifier(tables.database)}.${quoteIdentifier(tables.table)}`;
  const rollupFrom = `${quoteIdentifier(tables.database)}.${quoteIdentifier(tables.rollupTable)}`;
  const iso = (ms: number) => quoteLiteral(new Date(ms).toISOString());
  return {
    name: "timestream",
    binder: () =>
      ({
        text: quoteLiteral,
        params: () => [],
      }) satisfies Binder,
    events: { from, where: `measure_name = ${quoteLiteral(EVENT_MEASURE)}` },
    dailyActivity: { from: rollupFrom, where: `measure_name = ${quoteLiteral(ACTIVE_DAY_MEASURE)}` },
    usageReports: { from, where: `measure_name = ${quoteLiteral(USAGE_MEASURE)}` },
    isBot: "coalesce(user_kind, '') = '2'",
    protocol: "coalesce(protocol, '')",
    cluster: "coalesce(cluster, '')",
    utcTime: "time",
    epochMillis: (expression) => `to_milliseconds(${expression})`,
    days: (count) => `${Math.trunc(count)}d`,
    instant: (value) => `from_iso8601_timestamp(${iso(value.getTime())})`,
    // A literal array: `sequence` over timestamps would do, but an explicit list needs nothing beyond
    // ARRAY and UNNEST. The renderer bounds its length (MAX_SERIES_DAYS).
    dayCalendar: (first: Day, last: Day) => {
      const days: string[] = [];
      for (let day = first; day <= last; day += DAY_MS) days.push(`from_iso8601_timestamp(${iso(day)})`);
      return `UNNEST(ARRAY[${days.join(", ")}]) AS calendar(day)`;
    },
  };
}
