import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type Event, UserKind } from "../src/gen/tenants/tenants.js";
import { DuckDbSink } from "../src/store/duckdb/duckdb-sink.js";
import { createPartitionSql, partitionName } from "../src/store/postgres/partitions.js";
import { PostgresSink } from "../src/store/postgres/postgres-sink.js";
import { createPgPool } from "../src/store/postgres/pg-pool.js";
import { BATCH_STATEMENTS } from "../src/store/postgres/batch-statement.js";
import { checkEventsText, checkStorableText } from "../src/store/postgres/storable-text.js";
import { timestamptzText } from "../src/store/postgres/pg-timestamp.js";
import { toEventRecords } from "../src/store/event-record.js";
import { silentLogger } from "../src/observability/logger.js";
import { monthRange, parseMonth } from "../src/mau/calendar.js";
import { DuckDbUsageQueries } from "../src/store/duckdb/duckdb-usage-queries.js";
import { PostgresUsageQueries } from "../src/store/postgres/postgres-usage-queries.js";
import { postgresDialect } from "../src/store/postgres/postgres-dialect.js";
import { utcDayStart as pgUtcDayStart, utcMonthStart } from "../src/store/postgres/schema.js";
import { utcDayStart as duckUtcDayStart } from "../src/store/duckdb/schema.js";
import {
  rollupFromEventsSql,
  syntheticEventColumns,
  SYNTHETIC_MONTH,
  SYNTHETIC_MONTH_START_S,
  SYNTHETIC_USERS,
} from "./harness/synthetic-activity.js";
import { monthlyMauSql } from "../src/mau/sql/metrics.js";
import type { UsageQueries } from "../src/mau/usage-queries.js";
import { checkMonthly, type MonthlyMauQuery } from "../src/mau/usage-query.js";
import { type PostgresServer, startPostgres } from "../test/support/postgres.js";
import type { Bench, BenchContext } from "./harness/bench.js";
import { type BenchResult, figure } from "./harness/result.js";
import { median, nowMs } from "./harness/timing.js";

const BATCH = 500;
const PROTOCOLS = ["", "ssh", "kube", "db", "app", "desktop"];
const MONTH = SYNTHETIC_MONTH;
const MONTH_START_S = SYNTHETIC_MONTH_START_S;
const USERS = SYNTHETIC_USERS;
/** Rows per INSERT … SELECT when loading, so progress shows and no single statement runs for minutes. */
const LOAD_CHUNK = 1_000_000;

/**
 * The PostgreSQL sink and query layer against DuckDB's, in the same run, on a throwaway local server
 * (test/support/postgres.ts, fsync on):
 * - inserts/s through PostgresSink.write vs DuckDbSink.write, the same generated batches of 500;
 * - MAU per protocol for one month through PostgresUsageQueries vs DuckDbUsageQueries, on the same
 *   synthetic rows (the distribution of bench/mau.ts) loaded with SQL straight into each schema;
 * - a context row from EXPLAIN: which partitions of `events` the monthly query reads.
 */
export const postgresBench: Bench = {
  name: "postgres",
  async run(context) {
    const server = await startPostgres();
    try {
      return [...(await inserts(context, server)), ...(await mau(context, server))];
    } finally {
      await server.stop();
    }
  },
};

async function inserts(context: BenchContext, server: PostgresServer): Promise<BenchResult[]> {
  const total = context.quick ? 50_000 : 500_000;
  const batches = Array.from({ length: total / BATCH }, (_, b) =>
    Array.from({ length: BATCH }, (_, i) => activityEvent(b * BATCH + i)),
  );
  context.progress(`postgres: ${total} events through the DuckDB sink`);
  const duck = await DuckDbSink.open(join(context.workDir, "postgres-bench-sink.duckdb"));
  let duckMs: number;
  try {
    const start = nowMs();
    for (const batch of batches) await duck.write("bench", batch);
    duckMs = nowMs() - start;
  } finally {
    await duck.close();
  }
  context.progress(
    `postgres: ${total} events through the PostgreSQL sink, alternating with the events alone`,
  );
  const sink = await PostgresSink.open(await server.createDatabase("bench_sink"));
  const plain = await eventsOnly(server);
  let pgMs = 0;
  let plainMs = 0;
  let rollupRows: number;
  try {
    for (const batch of batches) {
      let start = nowMs();
      await sink.write("bench", batch);
      pgMs += nowMs() - start;
      start = nowMs();
      await plain.write("bench", batch);
      plainMs += nowMs() - start;
    }
    const counted = await server.query("bench_sink", "SELECT count(*)::int AS n FROM daily_activity");
    rollupRows = Number((counted.rows[0] as { n: number } | undefined)?.n);
  } finally {
    await sink.close();
    await plain.close();
  }
  return [
    figure({
      name: "postgres",
      workload: `${total} events in batches of ${BATCH}, PostgreSQL sink, ${rollupRows} daily activity rows`,
      unit: "inserts/s",
      value: total / (pgMs / 1000),
      baseline: {
        name: "the sink's insert without the rollup, alternating",
        value: total / (plainMs / 1000),
      },
      goal: { on: "ratio", op: ">=", target: 0.7 },
      note: "the cost of the rollup rows the sink's statement adds to each batch",
    }),
    figure({
      name: "postgres",
      workload: `${total} events in batches of ${BATCH}, PostgreSQL sink (local server, fsync on)`,
      unit: "inserts/s",
      value: total / (pgMs / 1000),
      baseline: { name: "DuckDB sink, same batches", value: total / (duckMs / 1000) },
      note: "no goal set; each batch is one committed transaction on both",
    }),
  ];
}

/**
 * Writes batches the way the sink did before the rollup: its validation and one INSERT per batch, the
 * sink's own statement for a batch with no rollup rows to add.
 */
async function eventsOnly(server: PostgresServer) {
  const url = await server.createDatabase("bench_sink_events_only");
  await (await PostgresSink.open(url)).close();
  await server.query("bench_sink_events_only", createPartitionSql(MONTH));
  const pool = createPgPool(url, {}, silentLogger);
  return {
    async write(tenant: string, events: readonly Event[]): Promise<void> {
      checkStorableText(tenant, "tenant");
      const records = toEventRecords(events);
      checkEventsText(events);
      await pool.query(BATCH_STATEMENTS.none, [
        tenant,
        timestamptzText(BigInt(Date.now()) * 1000n),
        records.map((r) => r.id),
        records.map((r) => timestamptzText(r.timeMicros)),
        records.map((r) => r.type),
        records.map((r) => r.user),
        records.map((r) => r.userKind),
        records.map((r) => r.protocol),
        records.map((r) => r.cluster),
        records.map((r) => r.sessionKind),
      ]);
    },
    close: () => pool.end(),
  };
}

async function mau(context: BenchContext, server: PostgresServer): Promise<BenchResult[]> {
  const total = context.quick ? 200_000 : 10_000_000;
  const runs = context.quick ? 3 : 5;
  const url = await server.createDatabase("bench_mau");
  // The sink creates the schema and the partitions of the current and next month; the benchmark's month
  // and its neighbours are added with the sink's own DDL so EXPLAIN has partitions to prune.
  await (await PostgresSink.open(url)).close();
  for (const month of [2, 3, 4]) {
    await server.query("bench_mau", createPartitionSql({ year: MONTH.year, month }));
  }
  context.progress(`postgres: loading ${total} rows into PostgreSQL`);
  const start = nowMs();
  await fillPostgres(server, total, context);
  const pgLoadMs = nowMs() - start;
  context.progress(`postgres: loading ${total} rows into DuckDB`);
  const path = join(context.workDir, "postgres-bench-mau.duckdb");
  await (await DuckDbSink.open(path)).close();
  await fillDuckDb(path, total);

  const query: MonthlyMauQuery = { months: monthRange(parseMonth("2025-03"), parseMonth("2025-03")) };
  const scanned = await partitionsRead(server, query);
  const partitions = await server.query(
    "bench_mau",
    "SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'events'::regclass",
  );
  const partitionCount = Number((partitions.rows[0] as { n: number } | undefined)?.n ?? 0);

  context.progress(`postgres: timing the monthly MAU query, ${runs} alternating runs`);
  const pg = await PostgresUsageQueries.open(url);
  const duck = await DuckDbUsageQueries.open(path);
  const pgRuns: number[] = [];
  const duckRuns: number[] = [];
  try {
    // Run 0 warms both up (and checks they agree); the rest alternate so neither gains from going second.
    for (let i = 0; i <= runs; i++) {
      const [pgMs, pgRows] = await timed(pg, query);
      const [duckMs, duckRows] = await timed(duck, query);
      if (i === 0 && pgRows !== duckRows) {
        throw new Error(`MAU differs: PostgreSQL ${pgRows}, DuckDB ${duckRows}`);
      }
      if (i > 0) {
        pgRuns.push(pgMs);
        duckRuns.push(duckMs);
      }
    }
  } finally {
    await pg.close();
    await duck.close();
  }
  const daily = await overDailyRollup(server, query, runs);
  const rollupRows = await server.query(
    "bench_mau",
    `SELECT (SELECT count(*) FROM daily_activity)::int AS daily, (SELECT count(*) FROM monthly_activity)::int AS monthly`,
  );
  const rows = rollupRows.rows[0] as { daily: number; monthly: number } | undefined;

  const workload = `${total} events in one month, ${USERS} users, 5 protocols`;
  return [
    figure({
      name: "postgres",
      workload: `${workload}, MAU per protocol, median of ${runs} alternating runs`,
      unit: "ms",
      value: median(pgRuns),
      baseline: { name: "DuckDB query layer, same rows", value: median(duckRuns) },
      goal: { on: "ratio", op: "<=", target: 2 },
      note: `both through the project's query layer (PostgresUsageQueries vs DuckDbUsageQueries): PostgreSQL from monthly_activity (${rows?.monthly} rows), DuckDB from daily_activity (${rows?.daily} rows)`,
    }),
    figure({
      name: "postgres",
      workload: `${workload}, the same SQL over PostgreSQL's daily_activity, median of ${runs} runs`,
      unit: "ms",
      value: daily,
      baseline: { name: "over monthly_activity, what the query layer reads", value: median(pgRuns) },
      note: "context: why PostgreSQL keeps the monthly rollup",
    }),
    figure({
      name: "postgres",
      workload: `${workload}, loaded with INSERT … SELECT FROM generate_series`,
      unit: "rows/s",
      value: total / (pgLoadMs / 1000),
      note: "context: how fast the synthetic rows went in (primary key maintained, synchronous_commit off)",
    }),
    figure({
      name: "postgres",
      workload: `EXPLAIN of the monthly MAU query for 2025-03: partitions read (${scanned.join(", ")})`,
      unit: "partitions",
      value: scanned.length,
      baseline: { name: "partitions of events", value: partitionCount },
      note: "context: the planner prunes every partition outside the month",
    }),
  ];
}

/** The median time of monthly MAU rendered without the monthly rollup, straight through a client. */
async function overDailyRollup(
  server: PostgresServer,
  query: MonthlyMauQuery,
  runs: number,
): Promise<number> {
  const rendered = monthlyMauSql({ ...postgresDialect, monthlyActivity: undefined }, checkMonthly(query));
  if (!rendered.sql.includes("FROM daily_activity"))
    throw new Error("the query does not read daily_activity");
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = nowMs();
    await server.query("bench_mau", rendered.sql, [...rendered.params]);
    if (i > 0) times.push(nowMs() - start);
  }
  return median(times);
}

/** The query's duration and its human MAU over all protocols. */
async function timed(queries: UsageQueries, query: MonthlyMauQuery): Promise<[number, number | undefined]> {
  const start = nowMs();
  const rows = await queries.monthlyActiveUsers(query);
  const ms = nowMs() - start;
  return [ms, rows.find((r) => r.protocol === null && r.user_kind === "human")?.mau];
}

/** The same rows as bench/mau.ts puts into DuckDB, straight into the month's partition, and their rollup. */
async function fillPostgres(server: PostgresServer, total: number, context: BenchContext): Promise<void> {
  const partition = partitionName(MONTH);
  for (let from = 0; from < total; from += LOAD_CHUNK) {
    const to = Math.min(total, from + LOAD_CHUNK) - 1;
    await server.query(
      "bench_mau",
      `SET synchronous_commit = off;
      INSERT INTO ${partition}
      SELECT ${syntheticEventColumns("postgres", "i")}
      FROM generate_series(${from}::bigint, ${to}::bigint) AS t(i)`,
    );
    if (total > LOAD_CHUNK) context.progress(`postgres: ${to + 1} rows loaded`);
  }
  context.progress("postgres: deriving the daily activity rollup");
  await server.query("bench_mau", `SET synchronous_commit = off; ${rollupFromEventsSql(pgUtcDayStart)}`);
  await server.query(
    "bench_mau",
    `SET synchronous_commit = off;
    INSERT INTO monthly_activity
    SELECT DISTINCT tenant, ${utcMonthStart("time")}, user_kind, protocol, "user" FROM daily_activity`,
  );
  await server.query("bench_mau", "VACUUM ANALYZE events");
  await server.query("bench_mau", "VACUUM ANALYZE daily_activity");
  await server.query("bench_mau", "VACUUM ANALYZE monthly_activity");
}

/** bench/mau.ts's rows and their rollup, inserted with range() into the DuckDB sink's schema. */
async function fillDuckDb(path: string, total: number): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(
      `INSERT INTO events SELECT ${syntheticEventColumns("duckdb", "i")} FROM range(${total}) t(i)`,
    );
    await connection.run(rollupFromEventsSql(duckUtcDayStart));
    await connection.run("CHECKPOINT");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The tables the plan of the monthly query over the raw events reads (the rollup is not partitioned),
 * from EXPLAIN (FORMAT JSON) with its parameters.
 */
async function partitionsRead(server: PostgresServer, query: MonthlyMauQuery): Promise<string[]> {
  const rendered = monthlyMauSql(postgresDialect, checkMonthly(query), "events");
  const result = await server.query("bench_mau", `EXPLAIN (FORMAT JSON) ${rendered.sql}`, [
    ...rendered.params,
  ]);
  const relations = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === "object" && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === "Relation Name" && typeof value === "string") relations.add(value);
        else walk(value);
      }
    }
  };
  walk(result.rows);
  return [...relations].sort();
}

/** Events as bench/sink.ts generates them: one month, 5 000 users, five protocols and none, some bots. */
function activityEvent(i: number): Event {
  const seconds = BigInt(MONTH_START_S + (i % 2_678_400));
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    time: { seconds, nanos: (i % 1000) * 1_000_000 },
    type: "session.start",
    user: Buffer.from(`user-${i % 5000}`.padEnd(32, "x")).toString("base64"),
    userKind: i % 50 === 0 ? UserKind.USER_KIND_BOT : UserKind.USER_KIND_HUMAN,
    protocol: PROTOCOLS[i % PROTOCOLS.length] ?? "",
    cluster: Buffer.from("cluster-name-hmac-placeholder-xx").toString("base64"),
    sessionKind: "",
  };
}
