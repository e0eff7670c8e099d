import { gzipSync } from "node:zlib";
import type { CursorMode } from "../src/cursor/cursor-mode.js";
import { DynamoAuditLog } from "../src/auditlog/dynamo/dynamo-audit-log.js";
import { createEventsClient, type EventsClient } from "../src/client/events-client.js";
import { StreamEvent } from "../src/gen/auth/auth.js";
import { OneOf } from "../src/gen/events/events.js";
import { startEventsServer } from "../src/server/events-server.js";
import { seededRandom, StreamSimulator, VirtualClock } from "../test/auditlog/dynamo/stream-simulator.js";
import { startCountingProxy } from "../test/support/counting-proxy.js";
import type { Bench } from "./harness/bench.js";
import { figure, type BenchResult } from "./harness/result.js";
import { median, nowMs } from "./harness/timing.js";

const SHARD_COUNTS = [1, 16, 256] as const;
/** gRPC's length-prefixed message header. */
const GRPC_FRAME_BYTES = 5;
const GZIP_SAMPLE = 1000;

/** What one cursor mode costs at one shard count. */
interface ModeFigures {
  eventsPerSecond: number;
  /** Cursor bytes over all messages, per event. */
  cursorBytes: number;
  /** Bytes from server to client counted by the relay, per event. */
  wireBytes: number;
  /** Messages that carried a cursor. */
  checkpoints: number;
}

interface ShardFigures {
  shards: number;
  events: number;
  eventBytes: number;
  everyEvent: ModeFigures;
  checkpoints: ModeFigures;
  gzipWireBytes: number;
  firstEventFreshMs: number;
  firstEventResumeMs: number;
}

/**
 * The DynamoDB reader on the deterministic Streams simulator (virtual time, no network to AWS) behind the
 * events server, read over loopback gRPC, with 1, 16 and 256 shards, in both cursor modes (every event,
 * and checkpoints: once per GetRecords page): throughput, what the cursor costs, bytes on the wire
 * (counted by a TCP relay, HTTP/2 framing included) and how long a resumed stream takes to deliver its
 * first event.
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
    let middle = "";
    const measureMode = async (cursors: CursorMode): Promise<ModeFigures> => {
      // Timed pass: nothing but counting on the client.
      const start = nowMs();
      let count = 0;
      for await (const event of client.streamEvents("", { untilCaughtUp: true, cursors })) {
        if (event.event !== undefined) count++;
        if (cursors === "every-event" && count === Math.floor(events / 2)) middle = event.cursor;
      }
      const eventsPerSecond = count / ((nowMs() - start) / 1000);
      if (count !== events) throw new Error(`${shards} shards, ${cursors}: ${count} of ${events} events`);
      // Accounting pass through the relay.
      proxy.reset();
      let cursorBytes = 0;
      let checkpoints = 0;
      for await (const event of viaProxy.streamEvents("", { untilCaughtUp: true, cursors })) {
        cursorBytes += Buffer.byteLength(event.cursor);
        if (event.cursor !== "") checkpoints++;
      }
      const wireBytes = proxy.downstreamBytes();
      return {
        eventsPerSecond,
        cursorBytes: cursorBytes / events,
        wireBytes: wireBytes / events,
        checkpoints,
      };
    };
    const everyEvent = await measureMode("every-event");
    const checkpoints = await measureMode("checkpoints");

    let eventBytes = 0;
    let gzipBytes = 0;
    let sampled = 0;
    let index = 0;
    const sampleEvery = Math.max(1, Math.floor(events / GZIP_SAMPLE));
    for await (const event of client.streamEvents("", { untilCaughtUp: true })) {
      if (event.event) eventBytes += OneOf.encode(event.event).finish().length;
      if (index++ % sampleEvery === 0) {
        gzipBytes += gzipSync(StreamEvent.encode(event).finish()).length + GRPC_FRAME_BYTES;
        sampled++;
      }
    }

    const firstEvent = async (client: EventsClient, cursor: string): Promise<number> => {
      const controller = new AbortController();
      const start = nowMs();
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
      eventBytes: eventBytes / events,
      everyEvent,
      checkpoints,
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
  const goal = { on: "ratio", op: "<=", target: 1.5 } as const;
  for (const m of measured) {
    const workload = `${m.events} events over ${m.shards} shard(s), simulator, loopback`;
    const eventBytes = { name: "event bytes (encoded events.OneOf)", value: m.eventBytes };
    const at256 = m.shards === 256;
    for (const [mode, f] of [
      ["cursor on every event", m.everyEvent],
      ["cursor at checkpoints", m.checkpoints],
    ] as const) {
      const checkpointMode = f === m.checkpoints;
      const baselineRate = checkpointMode
        ? { name: "cursor on every event, same shards", value: m.everyEvent.eventsPerSecond }
        : one === undefined
          ? undefined
          : { name: "1 shard, same run", value: one.everyEvent.eventsPerSecond };
      results.push(
        figure({
          name: "dynamo-stream",
          workload: `${workload}, ${mode}`,
          unit: "events/s",
          value: f.eventsPerSecond,
          ...(baselineRate === undefined ? {} : { baseline: baselineRate }),
        }),
        figure({
          name: "dynamo-stream",
          workload: `${workload}, ${mode} (${f.checkpoints} messages carried one)`,
          unit: "cursor B/event",
          value: f.cursorBytes,
          baseline: eventBytes,
        }),
        figure({
          name: "dynamo-stream",
          workload: `${workload}, ${mode}`,
          unit: "wire B/event",
          value: f.wireBytes,
          baseline: eventBytes,
          ...(at256 && checkpointMode ? { goal } : {}),
          ...(at256 && !checkpointMode
            ? {
                note: "context: the goal applies to the checkpoints mode (cursor_mode = CURSOR_MODE_CHECKPOINTS)",
              }
            : {}),
        }),
      );
    }
    if (at256) {
      results.push(
        figure({
          name: "dynamo-stream",
          workload: `${workload}, cursor on every event, each message gzipped (${GZIP_SAMPLE} sampled)`,
          unit: "wire B/event",
          value: m.gzipWireBytes,
          baseline: eventBytes,
          note: "context: estimate of gRPC per-message gzip (message + 5-byte header, no HTTP/2 framing); @grpc/grpc-js servers never compress responses",
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
