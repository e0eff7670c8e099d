import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import { parseMonthRange } from "../../../src/mau/calendar.js";
import type { Dialect } from "../../../src/mau/dialect.js";
import { duckDbDialect } from "../../../src/store/duckdb/duckdb-dialect.js";
import { postgresDialect } from "../../../src/store/postgres/postgres-dialect.js";
import { latestUsageSql, monthlyMauSql, rollingMauSql } from "../../../src/mau/sql/metrics.js";
import { quoteLiteral, timestreamDialect } from "../../../src/store/timestream/timestream-dialect.js";
import { checkLatestUsage, checkMonthly, checkRolling } from "../../../src/mau/usage-query.js";
import { splitCode } from "../../support/timestream-endpoint/sql.js";

const timestream = timestreamDialect({ database: "usage", table: "events" });
const september = parseMonthRange("2026-09");
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe("monthly MAU", () => {
  it("renders for DuckDB with every value bound, over its daily activity rollup", () => {
    const query = monthlyMauSql(duckDbDialect, checkMonthly({ months: september, tenant: "acme" }));
    expect(query.sql).toBe(`WITH active AS (
  SELECT DISTINCT tenant, user_kind = 2 AS bot, protocol AS proto, "user",
    date_trunc('month', make_timestamp(epoch_us(time))) AS month
  FROM daily_activity
  WHERE TRUE
    AND time >= CAST($1 AS TIMESTAMPTZ)
    AND time < CAST($2 AS TIMESTAMPTZ)
    AND coalesce("user", '') <> ''
    AND NOT (user_kind = 2)
    AND tenant = $3
)
SELECT tenant, epoch_ms(month) AS month_ms, CASE WHEN bot THEN 'bot' ELSE 'human' END AS user_kind, '' AS protocol, count(DISTINCT "user") AS mau
FROM active
GROUP BY tenant, month, bot
UNION ALL
SELECT tenant, epoch_ms(month) AS month_ms, CASE WHEN bot THEN 'bot' ELSE 'human' END AS user_kind, proto AS protocol, count(*) AS mau
FROM active
WHERE proto <> ''
GROUP BY tenant, month, bot, proto
ORDER BY tenant, month_ms, user_kind, protocol`);
    expect(query.params).toEqual(["2026-09-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z", "acme"]);
    expect(query.columns.map((c) => c.name)).toEqual(["tenant", "month_ms", "user_kind", "protocol", "mau"]);
  });

  it.each([
    ["DuckDB", duckDbDialect, "daily_activity"],
    ["PostgreSQL", postgresDialect, "monthly_activity"],
  ])("renders for %s over its rollup, or over the raw events on request", (_, dialect, monthly) => {
    const checked = checkMonthly({ months: september, tenant: "acme" });
    const rollup = monthlyMauSql(dialect, checked);
    const events = monthlyMauSql(dialect, checked, "events");
    expect(rollup.sql).toContain(`FROM ${monthly}\n`);
    expect(events.sql).toBe(rollup.sql.replace(`FROM ${monthly}\n`, "FROM events\n"));
    expect(events.params).toEqual(rollup.params);
    const rolling = checkRolling({ from: day("2026-09-29"), to: day("2026-10-01") });
    expect(rollingMauSql(dialect, rolling).sql).toContain("FROM daily_activity\n");
    expect(rollingMauSql(dialect, rolling, "events").sql).toBe(
      rollingMauSql(dialect, rolling).sql.replace("FROM daily_activity\n", "FROM events\n"),
    );
  });

  it("renders for Timestream with its rollup table, measure, dimensions and time functions", () => {
    const query = monthlyMauSql(timestream, checkMonthly({ months: september, tenant: "acme" }));
    expect(query.sql).toBe(`WITH active AS (
  SELECT DISTINCT tenant, coalesce(user_kind, '') = '2' AS bot, coalesce(protocol, '') AS proto, "user",
    date_trunc('month', time) AS month
  FROM "usage"."events_daily"
  WHERE measure_name = 'active_day'
    AND time >= from_iso8601_timestamp('2026-09-01T00:00:00.000Z')
    AND time < from_iso8601_timestamp('2026-10-01T00:00:00.000Z')
    AND coalesce("user", '') <> ''
    AND NOT (coalesce(user_kind, '') = '2')
    AND tenant = 'acme'
)
SELECT tenant, to_milliseconds(month) AS month_ms, CASE WHEN bot THEN 'bot' ELSE 'human' END AS user_kind, '' AS protocol, count(DISTINCT "user") AS mau
FROM active
GROUP BY tenant, month, bot
UNION ALL
SELECT tenant, to_milliseconds(month) AS month_ms, CASE WHEN bot THEN 'bot' ELSE 'human' END AS user_kind, proto AS protocol, count(*) AS mau
FROM active
WHERE proto <> ''
GROUP BY tenant, month, bot, proto
ORDER BY tenant, month_ms, user_kind, protocol`);
    expect(query.params).toEqual([]);
  });

  it("renders for Timestream over the raw events on request, or over a named rollup table", () => {
    const checked = checkMonthly({ months: september });
    const raw = monthlyMauSql(timestream, checked, "events").sql;
    expect(raw).toContain(`FROM "usage"."events"\n  WHERE measure_name = 'active'\n`);
    const named = timestreamDialect({ database: "usage", table: "events", rollupTable: "days" });
    expect(monthlyMauSql(named, checked).sql).toContain(
      `FROM "usage"."days"\n  WHERE measure_name = 'active_day'\n`,
    );
    expect(
      rollingMauSql(named, checkRolling({ from: day("2026-09-01"), to: day("2026-09-02") })).sql,
    ).toContain(`FROM "usage"."days"`);
  });

  it.each<[string, Dialect, Parameters<typeof checkMonthly>[0], string[], string[]]>([
    [
      "duckdb, every tenant, humans",
      duckDbDialect,
      { months: september },
      ["NOT (user_kind = 2)"],
      ["tenant ="],
    ],
    [
      "duckdb, bots included",
      duckDbDialect,
      { months: september, includeBots: true },
      [],
      ["NOT (", "tenant ="],
    ],
    [
      "timestream, a range of months",
      timestream,
      { months: parseMonthRange("2026-08..2026-10"), includeBots: true, tenant: "globex" },
      [
        "time >= from_iso8601_timestamp('2026-08-01T00:00:00.000Z')",
        "time < from_iso8601_timestamp('2026-11-01T00:00:00.000Z')",
        "tenant = 'globex'",
      ],
      ["NOT ("],
    ],
  ])("%s", (_, dialect, query, present, absent) => {
    const { sql } = monthlyMauSql(dialect, checkMonthly(query));
    for (const fragment of present) expect(sql).toContain(fragment);
    for (const fragment of absent) expect(sql).not.toContain(fragment);
  });
});

describe("rolling MAU", () => {
  const query = checkRolling({ from: day("2026-09-29"), to: day("2026-10-01"), tenant: "acme" });

  it("renders for DuckDB: a generated calendar joined to each user's active days", () => {
    const rendered = rollingMauSql(duckDbDialect, query);
    expect(rendered.sql).toContain(
      "FROM UNNEST(generate_series(CAST($4 AS TIMESTAMP), CAST($5 AS TIMESTAMP), INTERVAL 1 DAY)) AS calendar(day)",
    );
    expect(rendered.sql).toContain(
      "ON active_days.day <= calendar.day AND active_days.day >= calendar.day - INTERVAL 29 DAY",
    );
    // The window of the first day reaches 29 days back.
    expect(rendered.params).toEqual([
      "2026-08-31T00:00:00.000Z",
      "2026-10-02T00:00:00.000Z",
      "acme",
      "2026-09-29",
      "2026-10-01",
    ]);
  });

  it("renders for Timestream: a literal calendar and duration literals", () => {
    const rendered = rollingMauSql(timestream, query);
    expect(rendered.sql).toContain(
      "FROM UNNEST(ARRAY[from_iso8601_timestamp('2026-09-29T00:00:00.000Z'), " +
        "from_iso8601_timestamp('2026-09-30T00:00:00.000Z'), " +
        "from_iso8601_timestamp('2026-10-01T00:00:00.000Z')]) AS calendar(day)",
    );
    expect(rendered.sql).toContain("active_days.day >= calendar.day - 29d");
    expect(rendered.sql).toContain("time >= from_iso8601_timestamp('2026-08-31T00:00:00.000Z')");
    expect(rendered.sql).toContain("date_trunc('day', time) AS day");
  });

  it("follows the window length", () => {
    const sql = rollingMauSql(timestream, checkRolling({ ...query, windowDays: 7 })).sql;
    expect(sql).toContain("calendar.day - 6d");
    expect(sql).toContain("time >= from_iso8601_timestamp('2026-09-23T00:00:00.000Z')");
  });

  it.each([
    [{ windowDays: 0 }, /rolling window/],
    [{ windowDays: 367 }, /rolling window/],
    [{ windowDays: 1.5 }, /rolling window/],
    [{ from: day("2026-10-02") }, /ends before it starts/],
    [{ from: day("2026-10-01") + 1 }, /UTC day start/],
    [{ from: day("2000-01-01"), to: day("2026-01-01") }, /at most/],
  ])("refuses %j", (change, message) => {
    expect(() => checkRolling({ ...query, tenant: "acme", ...change })).toThrow(message);
  });
});

describe("latest usage reports", () => {
  it.each<[string, Dialect, string[]]>([
    [
      "duckdb",
      duckDbDialect,
      [
        "FROM usage_reports",
        "epoch_ms(make_timestamp(epoch_us(time))) AS time_ms",
        "row_number() OVER (PARTITION BY tenant, cluster ORDER BY time DESC) AS newest",
        "time < CAST($1 AS TIMESTAMPTZ)",
        "tenant = $2",
      ],
    ],
    [
      "timestream",
      timestream,
      [
        `FROM "usage"."events"`,
        "measure_name = 'usage'",
        "coalesce(cluster, '') AS cluster",
        "to_milliseconds(time) AS time_ms",
        "time < from_iso8601_timestamp('2026-10-01T00:00:00.000Z')",
        "tenant = 'acme'",
      ],
    ],
  ])("%s", (_, dialect, fragments) => {
    const { sql, columns } = latestUsageSql(
      dialect,
      checkLatestUsage({ tenant: "acme", before: new Date("2026-10-01T00:00:00Z") }),
    );
    for (const fragment of fragments) expect(sql).toContain(fragment);
    expect(sql).toContain(
      `"users", "servers", "databases", "apps", "kube_clusters", "desktops", "roles", "auth_connectors"`,
    );
    expect(columns.map((c) => c.name)).toEqual([
      "tenant",
      "cluster",
      "time_ms",
      "users",
      "servers",
      "databases",
      "apps",
      "kube_clusters",
      "desktops",
      "roles",
      "auth_connectors",
    ]);
  });
});

describe("injection", () => {
  const attempts = [
    "acme' OR '1'='1",
    "acme'; DROP TABLE events; --",
    "x' UNION SELECT * FROM usage_reports --",
    'acme" OR "1"="1',
    "acme\\' OR 1=1 --",
    "acme\u0000",
  ];

  it.each(attempts)("refuses tenant %j before anything is rendered", (tenant) => {
    expect(() => checkMonthly({ months: september, tenant })).toThrow(InvalidArgumentError);
    expect(() => checkRolling({ from: day("2026-09-01"), to: day("2026-09-02"), tenant })).toThrow(
      InvalidArgumentError,
    );
    expect(() => checkLatestUsage({ before: new Date(), tenant })).toThrow(InvalidArgumentError);
  });

  it("quotes any Timestream literal so that it stays one literal", () => {
    const safe = fc
      .string({ unit: "grapheme", maxLength: 30 })
      .filter((s) => [...s].every((c) => c >= " " && c !== "\u007f"));
    fc.assert(
      fc.property(safe, (value) => {
        const literal = quoteLiteral(value);
        const runs = splitCode(`tenant = ${literal} AND TRUE`);
        expect(runs).toEqual([
          [true, "tenant = "],
          [false, literal],
          [true, " AND TRUE"],
        ]);
        expect(literal.slice(1, -1).replaceAll("''", "'")).toBe(value);
      }),
    );
  });

  it.each(["a\u0000b", "line\nbreak", "\u007f", "lone \ud800 surrogate", "\udc00"])(
    "refuses %j in a Timestream literal",
    (value) => {
      expect(() => quoteLiteral(value)).toThrow(InvalidArgumentError);
    },
  );

  it.each([
    { database: "us", table: "events" },
    { database: "usage", table: 'ev"ents' },
    { database: "usage", table: "events; DROP" },
    { database: "usage", table: "events", rollupTable: "da'ys" },
    { database: "usage", table: "events", rollupTable: "events" },
    { database: "usage", table: "e".repeat(251) },
  ])("refuses Timestream names %j", (target) => {
    expect(() => timestreamDialect(target)).toThrow(InvalidArgumentError);
  });
});
