import { setTimeout as delay } from "node:timers/promises";
import { systemClock } from "../src/time/clock.js";
import { DynamoAuditLog } from "../src/auditlog/dynamo/dynamo-audit-log.js";
import { createEventsClient, type EventsClient } from "../src/client/events-client.js";
import { EMPTY_CURSOR } from "../src/cursor/cursor.js";
import { startEventsServer } from "../src/server/events-server.js";
import { uidOf } from "../test/auditlog/dynamo/harness.js";
import {
  AWS_STREAMS_LIMITS,
  seededRandom,
  StreamSimulator,
  type Latency,
  type Operation,
} from "../test/auditlog/dynamo/stream-simulator.js";
import type { Clock } from "../src/time/clock.js";
import type { Bench } from "./harness/bench.js";
import { figure, type BenchResult } from "./harness/result.js";
import { median, nowMs, percentile } from "./harness/timing.js";

const SHARD_COUNTS = [1, 16, 256] as const;
const ROUND_TRIP_MS = 20;
const ROUND_TRIPS: Record<Operation, Latency> = {
  DescribeTable: { fixedMs: ROUND_TRIP_MS },
  DescribeStream: { fixedMs: ROUND_TRIP_MS },
  GetShardIterator: { fixedMs: ROUND_TRIP_MS },
  GetRecords: { fixedMs: ROUND_TRIP_MS },
};
const LISTING_STREAMS = 64;
const LISTING_SHARDS = 16;
const MiB = 1024 * 1024;

type Sim = StreamSimulator<Clock>;

interface Sizes {
  /** Writes timed while every shard tails. */
  writes: number;
  writeGapMs: number;
  idleMs: number;
  backlog: number;
  resumes: number;
  listingMs: number;
  stallMs: number;
}

const QUICK: Sizes = {
  writes: 20,
  writeGapMs: 100,
  idleMs: 4000,
  backlog: 10_000,
  resumes: 3,
  listingMs: 5000,
  stallMs: 3000,
};
const FULL: Sizes = {
  writes: 60,
  writeGapMs: 100,
  idleMs: 8000,
  backlog: 100_000,
  resumes: 5,
  listingMs: 10_000,
  stallMs: 10_000,
};

function simulator(shards: number): Sim {
  return new StreamSimulator<Clock>(systemClock, {
    shards,
    latency: ROUND_TRIPS,
    awsLimits: true,
    random: seededRandom(3),
  });
}

function logOver(sim: Sim, maxStreams = 10): DynamoAuditLog {
  return new DynamoAuditLog({ table: sim.table, client: sim, maxStreams, random: seededRandom(1) });
}

async function served<T>(log: DynamoAuditLog, body: (client: EventsClient) => Promise<T>): Promise<T> {
  const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
  const client = await createEventsClient(`127.0.0.1:${server.port}`);
  try {
    return await body(client);
  } finally {
    client.close();
    await server.shutdown(1000);
    await log.close();
  }
}

interface TailFigures {
  shards: number;
  p50: number;
  p99: number;
  getRecordsPerShardSecond: number;
  rateRefusals: number;
}

/**
 * Every shard tails (one follower, caught up), then writes spread over the shards are timed from
 * PutItem-equivalent to the client; before them, an idle window counts GetRecords per shard per second.
 */
async function measureTailing(shards: number, sizes: Sizes): Promise<TailFigures> {
  const sim = simulator(shards);
  const ids = sim.openShards();
  return served(logOver(sim), async (client) => {
    const controller = new AbortController();
    const received = new Map<string, number>();
    const reading = (async () => {
      for await (const item of client.streamEvents("", {
        signal: controller.signal,
        cursors: "checkpoints",
      })) {
        if (item.event !== undefined) received.set(uidOf(item.event), nowMs());
      }
    })().catch(() => undefined);
    const warm = ids.map((id) => sim.writeEvent(id));
    await until(() => warm.every((uid) => received.has(uid)), 120_000);
    const callsBefore = sim.calls.GetRecords;
    const refusedBefore = sim.limitsExceeded.getRecordsRate;
    const idleStart = nowMs();
    await delay(sizes.idleMs);
    const idleSeconds = (nowMs() - idleStart) / 1000;
    const getRecordsPerShardSecond = (sim.calls.GetRecords - callsBefore) / shards / idleSeconds;
    const rateRefusals = sim.limitsExceeded.getRecordsRate - refusedBefore;
    const written = new Map<string, number>();
    for (let i = 0; i < sizes.writes; i++) {
      const shard = ids[(i * 97) % ids.length] as string;
      written.set(sim.writeEvent(shard), nowMs());
      await delay(sizes.writeGapMs);
    }
    await until(() => [...written.keys()].every((uid) => received.has(uid)), 120_000);
    controller.abort();
    await reading;
    const latencies = [...written].map(([uid, at]) => ((received.get(uid) as number) - at) / 1000);
    return {
      shards,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      getRecordsPerShardSecond,
      rateRefusals,
    };
  });
}

interface BacklogFigures {
  shards: number;
  events: number;
  zeroLatencyRate: number;
  rate: number;
  resumeMs: number;
  freshMs: number;
}

/** The same backlog read to its end without round trips, then with them; then resumes from the middle. */
async function measureBacklog(shards: number, sizes: Sizes): Promise<BacklogFigures> {
  const sim = simulator(shards);
  const ids = sim.openShards();
  for (let i = 0; i < sizes.backlog; i++) sim.writeEvent(ids[i % ids.length], { user: `user-${i % 500}` });
  return served(logOver(sim), async (client) => {
    const readAll = async (): Promise<{ rate: number; middle: string }> => {
      const start = nowMs();
      let count = 0;
      let middle = "";
      for await (const item of client.streamEvents("", { untilCaughtUp: true, cursors: "checkpoints" })) {
        if (item.event !== undefined) count++;
        if (middle === "" && count >= sizes.backlog / 2 && item.cursor !== "") middle = item.cursor;
      }
      if (count !== sizes.backlog) throw new Error(`${shards} shards: ${count} of ${sizes.backlog} events`);
      return { rate: count / ((nowMs() - start) / 1000), middle };
    };
    sim.latency = {};
    sim.limits = undefined;
    const zero = await readAll();
    sim.latency = ROUND_TRIPS;
    sim.limits = AWS_STREAMS_LIMITS;
    const withRoundTrips = await readAll();
    const firstEvent = async (cursor: string): Promise<number> => {
      const controller = new AbortController();
      const start = nowMs();
      for await (const item of client.streamEvents(cursor, {
        signal: controller.signal,
        untilCaughtUp: true,
      })) {
        if (item.event !== undefined) controller.abort();
      }
      return nowMs() - start;
    };
    const resumed: number[] = [];
    const fresh: number[] = [];
    for (let i = 0; i < sizes.resumes; i++) {
      // A second apart, so that one measurement's GetRecords do not count against the next one's rate.
      await delay(1000);
      resumed.push(await firstEvent(zero.middle));
      await delay(1000);
      fresh.push(await firstEvent(""));
    }
    return {
      shards,
      events: sizes.backlog,
      zeroLatencyRate: zero.rate,
      rate: withRoundTrips.rate,
      resumeMs: median(resumed),
      freshMs: median(fresh),
    };
  });
}

interface ListingFigures {
  streams: number;
  perSecond: number;
  refused: number;
}

/** DescribeTable + DescribeStream calls per second while `streams` follow a table in which shards close. */
async function measureListing(streams: number, sizes: Sizes): Promise<ListingFigures> {
  const sim = simulator(LISTING_SHARDS);
  for (const id of sim.openShards()) sim.writeEvent(id);
  const log = logOver(sim, streams + 1);
  const controller = new AbortController();
  const start = nowMs();
  const readers = Array.from({ length: streams }, async () => {
    for await (const _ of log.streamEvents(EMPTY_CURSOR, {
      signal: controller.signal,
      cursors: "checkpoints",
    })) {
      // Only the calls the streams make are measured.
    }
  });
  const splits = (async () => {
    await delay(sizes.listingMs / 3);
    for (const id of sim.openShards().slice(0, 4)) sim.split(id, 1);
  })();
  await delay(sizes.listingMs);
  const calls = sim.calls.DescribeTable + sim.calls.DescribeStream;
  const seconds = (nowMs() - start) / 1000;
  controller.abort();
  await Promise.allSettled([...readers, splits]);
  await log.close();
  return { streams, perSecond: calls / seconds, refused: sim.limitsExceeded.describeStreamRate };
}

/** RSS growth while a client takes one event of a 256-shard backlog and then reads nothing. */
async function measureStall(sizes: Sizes): Promise<{ before: number; growth: number }> {
  const sim = simulator(256);
  const ids = sim.openShards();
  for (let i = 0; i < sizes.backlog; i++) sim.writeEvent(ids[i % ids.length], { user: `user-${i % 500}` });
  return served(logOver(sim), async (client) => {
    const before = process.memoryUsage().rss;
    const controller = new AbortController();
    const stream = client.streamEvents("", { signal: controller.signal })[Symbol.asyncIterator]();
    await stream.next();
    let peak = before;
    const end = nowMs() + sizes.stallMs;
    while (nowMs() < end) {
      await delay(200);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    controller.abort();
    await stream.return?.();
    return { before, growth: peak - before };
  });
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = nowMs() + timeoutMs;
  while (!done()) {
    if (nowMs() > end) throw new Error("timed out waiting for the stream");
    await delay(20);
  }
}

/**
 * The DynamoDB reader as it fares against AWS: the Streams simulator on the system clock with a 20 ms
 * round trip on every call and AWS's limits on (5 GetRecords/s per shard, 10 DescribeStream/s, 2 readers
 * per shard), behind the events server over loopback: write-to-client latency while every shard tails,
 * idle GetRecords per shard, backlog throughput against the same backlog without round trips, time to
 * the first event on a resume, listing calls with 64 streams, and RSS with a stalled client.
 */
export const dynamoRoundTripsBench: Bench = {
  name: "dynamo-rtt",
  async run(context) {
    const sizes = context.quick ? QUICK : FULL;
    const results: BenchResult[] = [];
    const name = "dynamo-rtt";
    const where = `simulator, ${ROUND_TRIP_MS} ms per call, AWS limits`;
    for (const shards of SHARD_COUNTS) {
      context.progress(`dynamo-rtt: tailing ${shards} shard(s)`);
      const t = await measureTailing(shards, sizes);
      const at256 = shards === 256;
      results.push(
        figure({
          name,
          workload: `${sizes.writes} writes while ${shards} shard(s) tail, ${where}, p50`,
          unit: "s write to client",
          value: t.p50,
          ...(at256 ? { goal: { on: "value", op: "<=", target: 0.5 } } : {}),
        }),
        figure({
          name,
          workload: `same, p99`,
          unit: "s write to client",
          value: t.p99,
          ...(at256 ? { goal: { on: "value", op: "<=", target: 1 } } : {}),
        }),
        figure({
          name,
          workload: `${shards} idle shard(s), ${where} (${t.rateRefusals} refused by the rate)`,
          unit: "GetRecords/shard/s",
          value: t.getRecordsPerShardSecond,
          goal: { on: "value", op: "<=", target: AWS_STREAMS_LIMITS.getRecordsPerShardPerSecond / 2 },
          note: "AWS allows 5 per shard; half of it leaves room for a second reader",
        }),
      );
      context.progress(`dynamo-rtt: backlog over ${shards} shard(s)`);
      const b = await measureBacklog(shards, sizes);
      results.push(
        figure({
          name,
          workload: `${b.events} events backlog over ${shards} shard(s), ${where}, checkpoints`,
          unit: "events/s",
          value: b.rate,
          baseline: { name: "same backlog, no round trips, same run", value: b.zeroLatencyRate },
          ...(at256 ? { goal: { on: "ratio", op: ">=", target: 0.5 } } : {}),
        }),
        figure({
          name,
          workload: `${shards} shard(s), ${where}, resume from the middle, median of ${sizes.resumes}`,
          unit: "round trips to first event",
          value: b.resumeMs / ROUND_TRIP_MS,
          baseline: { name: "fresh start (empty cursor)", value: b.freshMs / ROUND_TRIP_MS },
          ...(at256 ? { goal: { on: "value", op: "<=", target: 5 } } : {}),
        }),
      );
    }
    context.progress(`dynamo-rtt: listing with ${LISTING_STREAMS} streams`);
    const one = await measureListing(1, sizes);
    const many = await measureListing(LISTING_STREAMS, sizes);
    results.push(
      figure({
        name,
        workload: `${LISTING_STREAMS} streams following ${LISTING_SHARDS} shards, 4 of them closing, ${where} (${many.refused} DescribeStream refused)`,
        unit: "listing calls/s",
        value: many.perSecond,
        baseline: { name: "1 stream, same script", value: one.perSecond },
        goal: { on: "ratio", op: "<=", target: 1.5 },
      }),
    );
    context.progress("dynamo-rtt: stalled client at 256 shards");
    const stall = await measureStall(sizes);
    results.push(
      figure({
        name,
        workload: `client stalls ${sizes.stallMs / 1000} s on ${sizes.backlog} events over 256 shards, ${where}`,
        unit: "MiB RSS growth",
        value: stall.growth / MiB,
        goal: { on: "value", op: "<=", target: 64 },
        note: `in the benchmark's process (RSS before: ${Math.round(stall.before / MiB)} MiB, the simulator included)`,
      }),
    );
    return results;
  },
};
