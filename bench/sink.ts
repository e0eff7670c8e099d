import { join } from "node:path";
import { DuckDBInstance, DuckDBTimestampTZValue } from "@duckdb/node-api";
import { type Event, UserKind } from "../src/gen/tenants/tenants.js";
import { DuckDbSink } from "../src/store/duckdb/duckdb-sink.js";
import { migrate } from "../src/store/duckdb/schema.js";
import { toEventRecords } from "../src/store/event-record.js";
import type { Bench } from "./harness/bench.js";
import { figure } from "./harness/result.js";
import { nowMs } from "./harness/timing.js";

const BATCH = 500;
const PROTOCOLS = ["", "ssh", "kube", "db", "app", "desktop"];
const EVENT_COLUMNS = `tenant, id, time, type, "user", user_kind, protocol, cluster, session_kind`;

/**
 * DuckDB inserts through the sink (staging table, INSERT … ON CONFLICT DO NOTHING, the daily activity
 * rollup rows of the inserted events, one transaction and WAL fsync per batch) against:
 * - the same write path without the rollup (`eventsOnly`: staging table, insert, transaction), batch for
 *   batch in alternation with the sink, so both see the same machine load;
 * - DuckDB's appender writing the same rows straight into the same schema, one appender (one commit) per
 *   batch of the same size.
 */
export const sinkBench: Bench = {
  name: "sink",
  async run(context) {
    const total = context.quick ? 50_000 : 500_000;
    const batches = Array.from({ length: total / BATCH }, (_, b) =>
      Array.from({ length: BATCH }, (_, i) => activityEvent(b * BATCH + i)),
    );

    const sink = await DuckDbSink.open(join(context.workDir, "sink.duckdb"));
    const plain = await eventsOnly(join(context.workDir, "sink-events-only.duckdb"));
    let sinkMs = 0;
    let plainMs = 0;
    let rollupRows: number;
    try {
      for (const batch of batches) {
        let start = nowMs();
        await sink.write("bench", batch);
        sinkMs += nowMs() - start;
        start = nowMs();
        await plain.write("bench", batch);
        plainMs += nowMs() - start;
      }
      const counted = await (
        await sink.queryConnection()
      ).runAndReadAll("SELECT count(*)::INTEGER FROM daily_activity");
      rollupRows = Number(counted.getRows()[0]?.[0]);
    } finally {
      await sink.close();
      plain.close();
    }

    const instance = await DuckDBInstance.create(join(context.workDir, "appender.duckdb"));
    const connection = await instance.connect();
    let appenderMs: number;
    try {
      await migrate(connection);
      const receivedAt = new DuckDBTimestampTZValue(BigInt(Date.now()) * 1000n);
      const start = nowMs();
      for (const batch of batches) {
        const appender = await connection.createAppender("events");
        for (const e of batch) {
          appender.appendVarchar("bench");
          appender.appendVarchar(e.id);
          appender.appendTimestampTZ(
            new DuckDBTimestampTZValue(
              (e.time?.seconds ?? 0n) * 1_000_000n + BigInt((e.time?.nanos ?? 0) / 1000),
            ),
          );
          appender.appendVarchar(e.type);
          appender.appendVarchar(e.user);
          appender.appendTinyInt(e.userKind);
          appender.appendVarchar(e.protocol);
          appender.appendVarchar(e.cluster);
          appender.appendVarchar(e.sessionKind);
          appender.appendTimestampTZ(receivedAt);
          appender.endRow();
        }
        appender.closeSync();
      }
      appenderMs = nowMs() - start;
    } finally {
      connection.closeSync();
      instance.closeSync();
    }

    return [
      figure({
        name: "sink",
        workload: `${total} events in batches of ${BATCH}, DuckDB file, ${rollupRows} daily activity rows`,
        unit: "inserts/s",
        value: total / (sinkMs / 1000),
        baseline: {
          name: "the same write path without the rollup, alternating",
          value: total / (plainMs / 1000),
        },
        goal: { on: "ratio", op: ">=", target: 0.7 },
        note: "the cost of writing the daily activity rollup in each batch's transaction",
      }),
      figure({
        name: "sink",
        workload: `${total} events in batches of ${BATCH}, DuckDB file`,
        unit: "inserts/s",
        value: total / (sinkMs / 1000),
        baseline: { name: "raw DuckDB appender, commit per batch", value: total / (appenderMs / 1000) },
        note: "no goal set; the sink adds validation, a staging table, ON CONFLICT and a transaction",
      }),
    ];
  },
};

/**
 * The sink's write path as it was before the daily activity rollup, for the baseline only: validation,
 * the appender into a staging table, one `INSERT … ON CONFLICT DO NOTHING`, one transaction per batch.
 */
async function eventsOnly(path: string) {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await migrate(connection);
  await connection.run(`CREATE TEMP TABLE events_staging AS SELECT ${EVENT_COLUMNS} FROM events LIMIT 0`);
  return {
    async write(tenant: string, events: readonly Event[]): Promise<void> {
      const records = toEventRecords(events);
      await connection.run("BEGIN TRANSACTION");
      const appender = await connection.createAppender("events_staging", "main", "temp");
      for (const r of records) {
        appender.appendVarchar(tenant);
        appender.appendVarchar(r.id);
        appender.appendTimestampTZ(new DuckDBTimestampTZValue(r.timeMicros));
        appender.appendVarchar(r.type);
        appender.appendVarchar(r.user);
        appender.appendTinyInt(r.userKind);
        appender.appendVarchar(r.protocol);
        appender.appendVarchar(r.cluster);
        appender.appendVarchar(r.sessionKind);
        appender.endRow();
      }
      appender.closeSync();
      await connection.run(
        `INSERT INTO events (${EVENT_COLUMNS}, received_at)
         SELECT ${EVENT_COLUMNS}, $1 FROM temp.events_staging
         ON CONFLICT DO NOTHING`,
        [new DuckDBTimestampTZValue(BigInt(Date.now()) * 1000n)],
      );
      await connection.run("DELETE FROM temp.events_staging");
      await connection.run("COMMIT");
    },
    close(): void {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

function activityEvent(i: number): Event {
  const seconds = BigInt(Date.UTC(2025, 2, 1) / 1000 + (i % 2_678_400));
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
