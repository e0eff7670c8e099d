import { gzipSync } from "node:zlib";
import { DynamoAuditLog } from "../src/auditlog/dynamo/dynamo-audit-log.js";
import { createEventsClient, type EventsClient } from "../src/client/events-client.js";
import { StreamEvent } from "../src/gen/auth/auth.js";
import { OneOf } from "../src/gen/events/events.js";
import { startEventsServer } from "../src/server/events-server.js";
import { seededRandom, StreamSimulator, VirtualClock } from "../test/auditlog/dynamo/stream-simulator.js";
import type { Bench } from "./harness/bench.js";
import { startCountingProxy } from "./harness/counting-proxy.js";
import { figure, type BenchResult } from "./harness/result.js";
import { median, nowMs } from "./harness/timing.js";

const SHARD_COUNTS = [1, 16, 256] as const;
/** gRPC's length-prefixed message header. */
const GRPC_FRAME_BYTES = 5;
const GZIP_SAMPLE = 1000;

interface ShardFigures {
  shards: number;
  events: number;
  eventsPerSecond: number;
  eventBytes: number;
  cursorBytes: number;
  wireBytes: number;
  gzipWireBytes: number;
  firstEventFreshMs: number;
  firstEventResumeMs: number;
}

/**
 * The DynamoDB reader on the deterministic Streams simulator (virtual time, no network to AWS) behind the
 * events server, read over loopback gRPC, with 1, 16 and 256 shards: throughput, what the per-event
 * cursor costs, bytes on the wire (counted by a TCP relay, HTTP/2 framing included) and how long a
 * resumed stream takes to deliver its first event.
 */
export const dynamoStreamBench: Bench = {
  name: "dynamo-stream",
  async run(context) {
    const events = context.quick ? 10_000 : 100_000;
    const resumes = context.quick ? 3 : 5;
    const measured: ShardFigures[] = [];
    for (const shards of SHARD_COUNTS) {
      context.progress(`dynamo-stream: ${shards} shard(s)`);
      measured.push(await measure(shards, events, resumes));
    }
    return report(measured, resumes);
  },
};

async function measure(shards: number, events: number, resumes: number): Promise<ShardFigures> {
  const sim = new StreamSimulator(new VirtualClock(), { shards });
  const ids = sim.openShards();
  for (let i = 0; i < events; i++) sim.writeEvent(ids[i % ids.length], { user: `user-${i % 500}` });
  const log = new DynamoAuditLog({
    table: sim.table,
    client: sim,
    clock: sim.clock,
    random: seededRandom(1),
    maxStreams: 10,
  });
  const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
  const proxy = await startCountingProxy(server.port);
  const client = await createEventsClient(`127.0.0.1:${server.port}`);
  const viaProxy = await createEventsClient(`127.0.0.1:${proxy.port}`);
  try {
    // Timed pass: nothing but counting on the client.
    let start = nowMs();
    let count = 0;
    let middle = "";
    for await (const event of client.streamEvents("", { untilCaughtUp: true })) {
      if (++count === Math.floor(events / 2)) middle = event.cursor;
    }
    const eventsPerSecond = count / ((nowMs() - start) / 1000);
    if (count !== events) throw new Error(`${shards} shards: streamed ${count} of ${events} events`);
    // Accounting pass through the relay.
    proxy.reset();
    let eventBytes = 0;
    let cursorBytes = 0;
    let gzipBytes = 0;
    let sampled = 0;
    let index = 0;
    const sampleEvery = Math.max(1, Math.floor(events / GZIP_SAMPLE));
    for await (const event of viaProxy.streamEvents("", { untilCaughtUp: true })) {
      if (event.event) eventBytes += OneOf.encode(event.event).finish().length;
      cursorBytes += Buffer.byteLength(event.cursor);
      if (index++ % sampleEvery === 0) {
        gzipBytes += gzipSync(StreamEvent.encode(event).finish()).length + GRPC_FRAME_BYTES;
        sampled++;
      }
    }
    const wireBytes = proxy.downstreamBytes();

    const firstEvent = async (client: EventsClient, cursor: string): Promise<number> => {
      const controller = new AbortController();
      start = nowMs();
      for await (const _ of client.streamEvents(cursor, { signal: controller.signal, untilCaughtUp: true })) {
        controller.abort();
      }
      return nowMs() - start;
    };
    const fresh: number[] = [];
    const resumed: number[] = [];
    for (let i = 0; i < resumes; i++) {
      fresh.push(await firstEvent(client, ""));
      resumed.push(await firstEvent(client, middle));
    }
    return {
      shards,
      events,
      eventsPerSecond,
      eventBytes: eventBytes / events,
      cursorBytes: cursorBytes / events,
      wireBytes: wireBytes / events,
      gzipWireBytes: gzipBytes / sampled,
      firstEventFreshMs: median(fresh),
      firstEventResumeMs: median(resumed),
    };
  } finally {
    client.close();
    viaProxy.close();
    await proxy.close();
    await server.shutdown(1000);
    await log.close();
  }
}

function report(measured: readonly ShardFigures[], resumes: number): BenchResult[] {
  const one = measured[0];
  const results: BenchResult[] = [];
  for (const m of measured) {
    const workload = `${m.events} events over ${m.shards} shard(s), simulator, loopback`;
    const eventBytes = { name: "event bytes (encoded events.OneOf)", value: m.eventBytes };
    const at256 = m.shards === 256;
    results.push(
      figure({
        name: "dynamo-stream",
        workload,
        unit: "events/s",
        value: m.eventsPerSecond,
        ...(one === undefined ? {} : { baseline: { name: "1 shard, same run", value: one.eventsPerSecond } }),
      }),
      figure({
        name: "dynamo-stream",
        workload,
        unit: "cursor B/event",
        value: m.cursorBytes,
        baseline: eventBytes,
      }),
      figure({
        name: "dynamo-stream",
        workload: `${workload}, per-event cursor (the only mode today)`,
        unit: "wire B/event",
        value: m.wireBytes,
        baseline: eventBytes,
        ...(at256 ? { goal: { on: "ratio", op: "<=", target: 1.5 } as const } : {}),
        ...(at256
          ? { note: "the goal is for a batch-boundary cursor mode, which needs a new request field" }
          : {}),
      }),
    );
    if (at256) {
      results.push(
        figure({
          name: "dynamo-stream",
          workload: `${workload}, per-event cursor, each message gzipped (${GZIP_SAMPLE} sampled)`,
          unit: "wire B/event",
          value: m.gzipWireBytes,
          baseline: eventBytes,
          goal: { on: "ratio", op: "<=", target: 1.5 },
          note: "estimate of gRPC per-message gzip (message + 5-byte header, no HTTP/2 framing); @grpc/grpc-js servers never compress responses",
        }),
      );
    }
    results.push(
      figure({
        name: "dynamo-stream",
        workload: `${workload}, resume from the middle, median of ${resumes}`,
        unit: "ms to first event",
        value: m.firstEventResumeMs,
        baseline: { name: "fresh start (empty cursor)", value: m.firstEventFreshMs },
      }),
    );
  }
  return results;
}
