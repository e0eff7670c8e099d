import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { CursorMode } from "../src/cursor/cursor-mode.js";
import { DEFAULT_DYNAMO_POLL_MS } from "../src/auditlog/dynamo/dynamo-audit-log.js";
import { createDynamoAuditLog, ensureEventsTable, writeEvents } from "../src/auditlog/dynamo/index.js";
import { createEventsClient } from "../src/client/events-client.js";
import { LosslessNumber } from "../src/events/json.js";
import { startEventsServer } from "../src/server/events-server.js";
import { uidOf } from "../test/auditlog/dynamo/harness.js";
import { startDynamoDbLocal, type DynamoDbLocal } from "../test/support/dynamodb-local.js";
import type { Bench } from "./harness/bench.js";
import { figure, type BenchResult } from "./harness/result.js";
import { nowMs, percentile } from "./harness/timing.js";

interface Setting {
  pollIntervalMs: number;
  cursors: CursorMode;
  label: string;
  goal: boolean;
}

const SETTINGS: readonly Setting[] = [
  { pollIntervalMs: DEFAULT_DYNAMO_POLL_MS, cursors: "every-event", label: "default settings", goal: true },
  {
    pollIntervalMs: DEFAULT_DYNAMO_POLL_MS,
    cursors: "checkpoints",
    label: "default poll, cursors at checkpoints (the reporter's mode)",
    goal: false,
  },
  { pollIntervalMs: 1000, cursors: "every-event", label: "1 s poll (the former default)", goal: false },
];

/**
 * DynamoDB Local write → client receive: events are put one at a time (at a spacing that does not divide
 * the poll interval) while a client follows the events server over loopback; latency is from just before
 * PutItem to the client's receipt. With the product's defaults (the goal), with the cursor mode the
 * reporter asks for, and with the former 1 s poll interval for context.
 */
export const latencyBench: Bench = {
  name: "latency",
  async run(context) {
    const writes = context.quick ? 20 : 100;
    const local = await startDynamoDbLocal();
    try {
      const results: BenchResult[] = [];
      for (const [i, setting] of SETTINGS.entries()) {
        context.progress(`latency: ${setting.label}`);
        const latencies = await measure(local, `events_${i}`, setting, writes);
        const workload = `${writes} single writes, DynamoDB Local, poll interval ${setting.pollIntervalMs} ms, ${setting.label}`;
        results.push(
          figure({
            name: "latency",
            workload,
            unit: "s p50",
            value: percentile(latencies, 50) / 1000,
            ...(setting.goal ? { goal: { on: "value", op: "<=", target: 0.5 } as const } : {}),
          }),
          figure({ name: "latency", workload, unit: "s p99", value: percentile(latencies, 99) / 1000 }),
        );
      }
      return results;
    } finally {
      await local.stop();
    }
  },
};

async function measure(
  local: DynamoDbLocal,
  table: string,
  { pollIntervalMs, cursors }: Setting,
  writes: number,
): Promise<number[]> {
  const dynamo = new DynamoDBClient(local.clientConfig);
  await ensureEventsTable(dynamo, table);
  const log = createDynamoAuditLog({ table, ...local.clientConfig, pollIntervalMs });
  const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
  const client = await createEventsClient(`127.0.0.1:${server.port}`);
  const stop = new AbortController();
  const written = new Map<string, number>();
  const latencies: number[] = [];
  const arrivals: ((uid: string) => void)[] = [];
  const consumer = (async () => {
    for await (const item of client.streamEvents("", { signal: stop.signal, cursors })) {
      if (item.event === undefined) continue;
      const uid = uidOf(item.event);
      const at = written.get(uid);
      if (at !== undefined) latencies.push(nowMs() - at);
      for (const arrived of arrivals.splice(0)) arrived(uid);
    }
  })();
  const put = async (n: number): Promise<void> => {
    const uid = `bench-${table}-${n}`;
    written.set(uid, nowMs());
    await writeEvents(dynamo, table, [
      {
        event: "user.login",
        uid,
        code: "T1000I",
        time: new Date().toISOString(),
        ei: new LosslessNumber("0"),
        cluster_name: "bench.example.com",
        user: `user-${n % 10}`,
        success: true,
      },
    ]);
  };
  try {
    // The stream is open and past its first poll once a warm-up event arrives.
    const warm = new Promise<unknown>((resolve) => arrivals.push(resolve));
    await put(-1);
    await warm;
    latencies.length = 0;
    for (let n = 0; n < writes; n++) {
      await put(n);
      await sleep(pollIntervalMs * 0.37 + 50);
    }
    const deadline = nowMs() + pollIntervalMs * 5 + 5000;
    while (latencies.length < writes && nowMs() < deadline) await sleep(50);
    if (latencies.length < writes) throw new Error(`received ${latencies.length} of ${writes} events`);
    return latencies;
  } finally {
    stop.abort();
    await consumer.catch(() => undefined);
    client.close();
    await server.shutdown(1000);
    await log.close();
    dynamo.destroy();
  }
}
