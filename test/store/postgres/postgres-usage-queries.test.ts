import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MauFlags, run } from "../../../src/cli/commands/mau.js";
import { FailedPreconditionError, InternalError, NotFoundError } from "../../../src/errors/errors.js";
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { PostgresSink } from "../../../src/store/postgres/postgres-sink.js";
import { parseMonthRange } from "../../../src/mau/calendar.js";
import { DuckDbUsageQueries } from "../../../src/store/duckdb/duckdb-usage-queries.js";
import { PostgresUsageQueries } from "../../../src/store/postgres/postgres-usage-queries.js";
import { postgresDialect } from "../../../src/store/postgres/postgres-dialect.js";
import type { SqlRunner } from "../../../src/mau/sql-usage-queries.js";
import { monthlyMauSql, rollingMauSql } from "../../../src/mau/sql/metrics.js";
import { checkMonthly, checkRolling } from "../../../src/mau/usage-query.js";
import { eventually } from "../../support/eventually.js";
import { type PostgresServer, startPostgres } from "../../support/postgres.js";
import { activityByTenant } from "../../mau/support/activity-fixtures.js";
import { usageQueriesContract } from "../../mau/support/usage-queries-contract.js";

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
});

// Written by the sink, then queried from the URL in read-only sessions, as `mau --sink postgres://…` does.
usageQueriesContract("PostgreSQL from its URL", {
  async prepare(store) {
    const url = await server.createDatabase("contract_url");
    const sink = await PostgresSink.open(url);
    try {
      await store(sink);
    } finally {
      await sink.close();
    }
    return PostgresUsageQueries.open(url);
  },
  dispose: () => Promise.resolve(),
});

let liveSink: PostgresSink | undefined;
usageQueriesContract("PostgreSQL through a running sink", {
  async prepare(store) {
    liveSink = await PostgresSink.open(await server.createDatabase("contract_live"));
    await store(liveSink);
    return PostgresUsageQueries.fromSink(liveSink);
  },
  dispose: async () => {
    await liveSink?.close();
  },
});

describe("PostgresUsageQueries", () => {
  let url: string;

  beforeAll(async () => {
    url = await server.createDatabase("usage_checks");
    const sink = await PostgresSink.open(url, { now: () => new Date("2026-10-15T00:00:00Z") });
    for (const [tenant, events] of activityByTenant()) await sink.write(tenant, events);
    await sink.close();
  });

  it("answers exactly what DuckDB answers on the same events", async () => {
    const duckSink = await DuckDbSink.open(":memory:");
    try {
      for (const [tenant, events] of activityByTenant()) await duckSink.write(tenant, events);
      const duck = await DuckDbUsageQueries.fromSink(duckSink);
      const postgres = await PostgresUsageQueries.open(url);
      try {
        const months = parseMonthRange("2026-07..2026-11");
        for (const includeBots of [false, true]) {
          expect(await postgres.monthlyActiveUsers({ months, includeBots })).toEqual(
            await duck.monthlyActiveUsers({ months, includeBots }),
          );
        }
        const series = { from: Date.parse("2026-08-20T00:00:00Z"), to: Date.parse("2026-10-31T00:00:00Z") };
        expect(await postgres.rollingActiveUsers({ ...series, windowDays: 7, includeBots: true })).toEqual(
          await duck.rollingActiveUsers({ ...series, windowDays: 7, includeBots: true }),
        );
      } finally {
        await postgres.close();
      }
    } finally {
      await duckSink.close();
    }
  });

  it("reads the rollups for MAU, and over the raw events only the queried month's partition", async () => {
    const monthly = checkMonthly({ months: parseMonthRange("2026-09"), tenant: "acme" });
    const rollupQuery = monthlyMauSql(postgresDialect, monthly);
    const overRollup = await explain(rollupQuery.sql, rollupQuery.params);
    expect(overRollup).toMatch(/\bon monthly_activity\b/);
    expect(overRollup).not.toMatch(/\bon daily_activity\b/);
    expect(scannedPartitions(overRollup)).toEqual([]);
    const series = checkRolling({
      from: Date.parse("2026-10-10T00:00:00Z"),
      to: Date.parse("2026-10-20T00:00:00Z"),
    });
    const rollingRollup = rollingMauSql(postgresDialect, series);
    const overDaily = await explain(rollingRollup.sql, rollingRollup.params);
    expect(overDaily).toMatch(/\bon daily_activity\b/);
    expect(scannedPartitions(overDaily)).toEqual([]);
    const query = monthlyMauSql(postgresDialect, monthly, "events");
    const plan = await explain(query.sql, query.params);
    expect(scannedPartitions(plan)).toEqual(["events_p2026_09"]);
    const rolling = rollingMauSql(
      postgresDialect,
      checkRolling({ from: Date.parse("2026-10-10T00:00:00Z"), to: Date.parse("2026-10-20T00:00:00Z") }),
      "events",
    );
    // The 30-day window reaches back into September.
    expect(scannedPartitions(await explain(rolling.sql, rolling.params))).toEqual([
      "events_p2026_09",
      "events_p2026_10",
    ]);
  });

  it("refuses a database the sink did not write, and reports a missing one", async () => {
    const other = await server.createDatabase("not_a_sink");
    await server.query("not_a_sink", "CREATE TABLE events (x integer)");
    await expect(PostgresUsageQueries.open(other)).rejects.toThrow(FailedPreconditionError);
    await expect(PostgresUsageQueries.open(server.url("missing_db"))).rejects.toThrow(NotFoundError);
  });

  /** The runner behind the queries, to run statements the metrics never render. */
  function runnerOf(queries: PostgresUsageQueries): SqlRunner {
    return (queries as unknown as { runner: SqlRunner }).runner;
  }

  it("cancels a running query on the server when aborted, keeping the pool usable", async () => {
    const queries = await PostgresUsageQueries.open(url);
    try {
      const stop = new AbortController();
      const reason = new Error("stopped by the test");
      const sleeping = "SELECT pg_sleep(60)::text AS slept";
      const pending = runnerOf(queries).run(
        { sql: sleeping, params: [], columns: [{ name: "slept", type: "varchar" }] },
        stop.signal,
      );
      await eventually(async () => (await activeQueries(sleeping)) === 1, "the query running", {
        interval: 50,
      });
      stop.abort(reason);
      await expect(pending).rejects.toBe(reason);
      await eventually(async () => (await activeQueries(sleeping)) === 0, "the query cancelled", {
        interval: 50,
      });
      await expect(queries.monthlyActiveUsers({ months: parseMonthRange("2026-09") })).resolves.toHaveLength(
        18,
      );
    } finally {
      await queries.close();
    }
  });

  it("queries in read-only sessions", async () => {
    const count = async () =>
      (await server.query("usage_checks", "SELECT count(*)::int AS n FROM events")).rows[0] as { n: number };
    const before = await count();
    const queries = await PostgresUsageQueries.open(url);
    try {
      await expect(
        runnerOf(queries).run({ sql: "DELETE FROM events", params: [], columns: [] }),
      ).rejects.toThrow(InternalError);
    } finally {
      await queries.close();
    }
    expect(await count()).toEqual(before);
    expect(before.n).toBeGreaterThan(0);
  });

  it("serves `mau --sink postgres://…`", async () => {
    const stdout = new PassThrough();
    let out = "";
    stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    const flags: MauFlags = { sink: url, month: "2026-09", format: "json", logLevel: "silent" };
    const code = await run(flags, { stdout, now: () => new Date("2026-10-15T12:00:00Z") });
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { tenant: string; protocol: string | null; mau: number }[];
    expect(rows).toHaveLength(18);
    expect(rows.filter((r) => r.mau > 0).map((r) => `${r.tenant} ${r.protocol ?? "all"} ${r.mau}`)).toEqual([
      "acme all 3",
      "acme ssh 2",
      "acme kube 1",
      "globex all 2",
      "globex db 1",
      "globex app 1",
      "initech all 1",
      "initech desktop 1",
    ]);
  });
});

async function activeQueries(text: string): Promise<number> {
  const result = await server.query(
    "postgres",
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query = $1",
    [text],
  );
  return (result.rows[0] as { n: number }).n;
}

async function explain(sql: string, params: readonly string[]): Promise<string> {
  const result = await server.query("usage_checks", `EXPLAIN ${sql}`, [...params]);
  return (result.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
}

/** The events partitions a plan scans, in name order. */
function scannedPartitions(plan: string): string[] {
  return [...new Set([...plan.matchAll(/\bon (events_\w+)/g)].map((m) => m[1]!))].sort();
}
