import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DuckDbSink } from "../src/store/duckdb/duckdb-sink.js";
import { utcDayStart } from "../src/store/duckdb/schema.js";
import { parseMonth, monthRange } from "../src/mau/calendar.js";
import { DuckDbUsageQueries } from "../src/store/duckdb/duckdb-usage-queries.js";
import { duckDbDialect } from "../src/store/duckdb/duckdb-dialect.js";
import { monthlyMauSql } from "../src/mau/sql/metrics.js";
import { checkMonthly, type MonthlyMauQuery } from "../src/mau/usage-query.js";
import type { Bench } from "./harness/bench.js";
import { figure } from "./harness/result.js";
import { median, nowMs } from "./harness/timing.js";

const MONTH = "2025-03";
const MONTH_START_S = Date.UTC(2025, 2, 1) / 1000;
const MONTH_SECONDS = 31 * 86_400;
const USERS = 49_999;

/**
 * The same month's MAU and MAU per protocol with DuckDB's HyperLogLog estimate instead of exact distinct
 * counts, straight over the events (no reduction to distinct users first: the estimate needs none).
 */
const APPROXIMATE_SQL = `SELECT protocol, approx_count_distinct("user") AS mau FROM events
  WHERE time >= to_timestamp(${MONTH_START_S}) AND time < to_timestamp(${MONTH_START_S + MONTH_SECONDS})
    AND "user" <> '' AND user_kind <> 2
  GROUP BY GROUPING SETS ((protocol), ())`;

/**
 * MAU and MAU per protocol for one month: the query layer (DuckDbUsageQueries: validation, rendering,
 * column checks, completing the rows) against the same rendered SQL run straight on DuckDB, and against a
 * naive scan that reads every row into JavaScript and counts distinct users in Sets.
 */
export const mauBench: Bench = {
  name: "mau",
  async run(context) {
    const total = context.quick ? 200_000 : 10_000_000;
    const runs = context.quick ? 3 : 5;
    const path = join(context.workDir, "mau.duckdb");
    context.progress(`mau: inserting ${total} synthetic activity rows`);
    await (await DuckDbSink.open(path)).close();
    await fill(path, total);
    const query: MonthlyMauQuery = { months: monthRange(parseMonth(MONTH), parseMonth(MONTH)) };

    // Both open at once and timed in alternation, so neither gains from running second.
    const queries = await DuckDbUsageQueries.open(path);
    const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
    const connection = await instance.connect();
    const projectRuns: number[] = [];
    const sqlRuns: number[] = [];
    const approximateRuns: number[] = [];
    let projectMau: number | undefined;
    let exact = new Map<string, number>();
    let approximate = new Map<string, number>();
    let naiveMs: number;
    let naiveMau: number;
    try {
      const rendered = monthlyMauSql(duckDbDialect, checkMonthly(query));
      for (let i = 0; i <= runs; i++) {
        let start = nowMs();
        const rows = await queries.monthlyActiveUsers(query);
        projectMau = rows.find((r) => r.protocol === null && r.user_kind === "human")?.mau;
        if (i > 0) projectRuns.push(nowMs() - start);
        exact = new Map(
          rows.filter((r) => r.user_kind === "human").map((r) => [r.protocol ?? "(all)", r.mau] as const),
        );
        start = nowMs();
        await connection.runAndReadAll(rendered.sql, [...rendered.params]);
        if (i > 0) sqlRuns.push(nowMs() - start);
        start = nowMs();
        const estimated = await connection.runAndReadAll(APPROXIMATE_SQL);
        if (i > 0) approximateRuns.push(nowMs() - start);
        approximate = new Map(
          estimated
            .getRows()
            .filter(([protocol]) => protocol !== "")
            .map(
              ([protocol, mau]) => [typeof protocol === "string" ? protocol : "(all)", Number(mau)] as const,
            ),
        );
      }
      context.progress("mau: naive scan");
      const start = nowMs();
      naiveMau = await naiveScan(connection);
      naiveMs = nowMs() - start;
    } finally {
      await queries.close();
      connection.closeSync();
      instance.closeSync();
    }
    const projectMs = median(projectRuns);
    const sqlMs = median(sqlRuns);
    const errors = [...exact].map(([group, mau]) => {
      const estimate = approximate.get(group);
      if (estimate === undefined) throw new Error(`the approximate query has no row for ${group}`);
      return Math.abs(estimate - mau) / mau;
    });
    if (projectMau !== naiveMau) {
      throw new Error(`MAU differs: query layer ${projectMau}, naive scan ${naiveMau}`);
    }

    const workload = `${total} events in one month, ${USERS} users, 5 protocols, median of ${runs} alternating runs`;
    return [
      figure({
        name: "mau",
        workload,
        unit: "ms",
        value: projectMs,
        baseline: { name: "same SQL straight on DuckDB", value: sqlMs },
        goal: { on: "ratio", op: "<=", target: 1.2 },
      }),
      figure({
        name: "mau",
        workload: `${total} events in one month, naive scan run once`,
        unit: "ms",
        value: projectMs,
        baseline: { name: "naive JS scan (rows into Sets)", value: naiveMs },
        goal: { on: "ratio", op: "<=", target: 0.1 },
        note: "ratio <= 0.1 is the goal 'at least 10x faster than the naive scan'",
      }),
      figure({
        name: "mau",
        workload: `${workload}, approximate: approx_count_distinct (HyperLogLog) over the events`,
        unit: "ms",
        value: median(approximateRuns),
        baseline: { name: "exact, through the query layer", value: projectMs },
        note: "context: the product counts exactly",
      }),
      figure({
        name: "mau",
        workload: `${total} events in one month, approximate against exact, ${errors.length} groups (all and per protocol)`,
        unit: "% largest relative error",
        value: Math.max(...errors) * 100,
        note: "context: how far the estimate strays from the exact count",
      }),
    ];
  },
};

/**
 * Synthetic activity straight into the sink's schema with range(): a month of events, some bots, and
 * their daily activity rollup.
 */
async function fill(path: string, total: number): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(`INSERT INTO events
      SELECT 'bench', 'e' || i, to_timestamp(${MONTH_START_S} + (i * 7919) % ${MONTH_SECONDS}),
        'session.start', md5(CAST(i % ${USERS} AS VARCHAR)), CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END,
        ['', 'ssh', 'kube', 'db', 'app', 'desktop'][i % 6 + 1], 'cluster', '', now()
      FROM range(${total}) t(i)`);
    // The rows the sink would have added to the daily activity rollup, which the query layer reads.
    await connection.run(`INSERT INTO daily_activity
      SELECT DISTINCT tenant, ${utcDayStart("time")}, user_kind, protocol, "user" FROM events WHERE "user" <> ''`);
    await connection.run("CHECKPOINT");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** What someone without the query layer might write: every row into JS, distinct users per protocol in Sets. */
async function naiveScan(connection: Awaited<ReturnType<DuckDBInstance["connect"]>>): Promise<number> {
  const from = BigInt(MONTH_START_S) * 1000n;
  const until = BigInt(MONTH_START_S + MONTH_SECONDS) * 1000n;
  const all = new Set<string>();
  const perProtocol = new Map<string, Set<string>>();
  const result = await connection.stream(`SELECT "user", protocol, user_kind, epoch_ms(time) FROM events`);
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0;) {
    for (const [user, protocol, kind, ms] of chunk.getRows()) {
      if (typeof user !== "string" || user === "" || kind === 2) continue;
      if (typeof ms !== "bigint" || ms < from || ms >= until) continue;
      all.add(user);
      if (typeof protocol === "string" && protocol !== "") {
        let users = perProtocol.get(protocol);
        if (users === undefined) perProtocol.set(protocol, (users = new Set()));
        users.add(user);
      }
    }
    chunk = await result.fetchChunk();
  }
  return all.size;
}
