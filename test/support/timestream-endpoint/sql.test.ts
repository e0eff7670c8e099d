import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitCode, translateQuery } from "./sql.js";
import { formatTimestamp } from "./query-results.js";

describe("translateQuery", () => {
  it.each([
    ["SELECT measure_value::bigint FROM t", `SELECT "measure_value::bigint" FROM t`],
    ["SELECT MEASURE_VALUE::Double FROM t", `SELECT "measure_value::double" FROM t`],
    ["WHERE time > ago(1d)", "WHERE time > ts_ago(INTERVAL '1 day')"],
    ["bin(time, 15m)", "ts_bin(time, INTERVAL '15 minute')"],
    [
      "ago(100ms) ago(30s) ago(2h) ago(5us) ago(7000ns)",
      "ts_ago(INTERVAL '100 millisecond') ts_ago(INTERVAL '30 second') ts_ago(INTERVAL '2 hour') ts_ago(INTERVAL '5 microsecond') ts_ago(INTERVAL '7 microsecond')",
    ],
    ["from_iso8601_timestamp('2024-01-01T00:00:00Z')", "ts_from_iso8601_timestamp('2024-01-01T00:00:00Z')"],
    ["APPROX_DISTINCT (u)", "ts_approx_distinct(u)"],
    [`SELECT '1d ago(x)', "1d" FROM "db"."t"`, `SELECT '1d ago(x)', "1d" FROM "db"."t"`],
    ["SELECT 1 -- ago(1d)\n, 2 /* bin(x, 1h) */", "SELECT 1 -- ago(1d)\n, 2 /* bin(x, 1h) */"],
    ["SELECT col1d, x10m FROM t LIMIT 10", "SELECT col1d, x10m FROM t LIMIT 10"],
    ["SELECT 'it''s 1d'", "SELECT 'it''s 1d'"],
  ])("%s", (input, expected) => {
    expect(translateQuery(input)).toBe(expected);
  });

  it("splits any text into runs that join back to it", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "'", '"', "-", "/", "*", "\n", " ", "1", "d") }),
        (sql) => {
          expect(
            splitCode(sql)
              .map(([, text]) => text)
              .join(""),
          ).toBe(sql);
        },
      ),
    );
  });
});

describe("formatTimestamp", () => {
  it.each([
    [0n, "1970-01-01 00:00:00.000000000"],
    [1_709_640_000_123_456_789n, "2024-03-05 12:00:00.123456789"],
    [-1n, "1969-12-31 23:59:59.999999999"],
  ])("%s", (nanos, text) => {
    expect(formatTimestamp(nanos)).toBe(text);
  });
});
