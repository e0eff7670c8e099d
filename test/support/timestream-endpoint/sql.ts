/**
 * The few differences between Timestream's SQL and DuckDB's that the project's queries meet, bridged by
 * rewriting outside string literals, quoted identifiers and comments:
 * - `measure_value::bigint` (a column name in Timestream) → `"measure_value::bigint"`;
 * - duration literals `1d`, `15m`, `30s`, `100ms`, `5us`, `7ns` → DuckDB intervals;
 * - Timestream functions (`ago`, `bin`, `from_iso8601_timestamp`, …) → `ts_*` macros defined in DuckDB.
 * `"database"."table"` needs no rewrite: each Timestream table is a DuckDB view of that name.
 */

const FUNCTIONS = [
  "ago",
  "bin",
  "from_iso8601_timestamp",
  "from_iso8601_date",
  "from_milliseconds",
  "to_milliseconds",
  "approx_distinct",
];

/**
 * Macros backing the renamed functions; the store runs with TimeZone = 'UTC', as Timestream does, and
 * sets the variable `ts_now` to the endpoint's clock before each query so `ago()` follows that clock.
 */
export const TIMESTREAM_MACROS: readonly string[] = [
  "CREATE MACRO ts_ago(i) AS getvariable('ts_now') - i",
  "CREATE MACRO ts_bin(t, i) AS time_bucket(i, t)",
  "CREATE MACRO ts_from_iso8601_timestamp(s) AS CAST(CAST(s AS TIMESTAMPTZ) AS TIMESTAMP)",
  "CREATE MACRO ts_from_iso8601_date(s) AS CAST(s AS DATE)",
  "CREATE MACRO ts_from_milliseconds(ms) AS make_timestamp(CAST(ms AS BIGINT) * 1000)",
  "CREATE MACRO ts_to_milliseconds(t) AS epoch_ms(t)",
  "CREATE MACRO ts_approx_distinct(x) AS approx_count_distinct(x)",
];

const UNITS: Record<string, string> = {
  d: "day",
  h: "hour",
  m: "minute",
  s: "second",
  ms: "millisecond",
  us: "microsecond",
};

export function translateQuery(sql: string): string {
  return splitCode(sql)
    .map(([code, text]) => (code ? rewrite(text) : text))
    .join("");
}

function rewrite(code: string): string {
  return code
    .replace(/\bmeasure_value::(bigint|double|varchar|boolean|timestamp)\b/gi, (_, type: string) => {
      return `"measure_value::${type.toLowerCase()}"`;
    })
    .replace(/\b(\d+)(ns|us|ms|s|m|h|d)\b/g, (_, n: string, unit: string) => {
      if (unit === "ns") return `INTERVAL '${BigInt(n) / 1000n} microsecond'`;
      return `INTERVAL '${n} ${UNITS[unit]}'`;
    })
    .replace(
      new RegExp(`\\b(${FUNCTIONS.join("|")})\\s*\\(`, "gi"),
      (_, name: string) => `ts_${name.toLowerCase()}(`,
    );
}

/** Splits SQL into [isCode, text] runs; string literals, quoted identifiers and comments are not code. */
export function splitCode(sql: string): [boolean, string][] {
  const runs: [boolean, string][] = [];
  let start = 0;
  let i = 0;
  const push = (code: boolean, end: number) => {
    if (end > start) runs.push([code, sql.slice(start, end)]);
    start = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    let end = -1;
    if (c === "'" || c === '"') {
      end = i + 1;
      while (end < sql.length) {
        if (sql[end] === c) {
          if (sql[end + 1] === c) end += 2;
          else break;
        } else end++;
      }
      end = Math.min(end + 1, sql.length);
    } else if (c === "-" && next === "-") {
      const newline = sql.indexOf("\n", i);
      end = newline < 0 ? sql.length : newline;
    } else if (c === "/" && next === "*") {
      const close = sql.indexOf("*/", i + 2);
      end = close < 0 ? sql.length : close + 2;
    }
    if (end < 0) {
      i++;
      continue;
    }
    push(true, i);
    push(false, end);
    i = end;
  }
  push(true, sql.length);
  return runs;
}
