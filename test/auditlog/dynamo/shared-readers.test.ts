import { describe, expect, it } from "vitest";
import { decodeCursor, EMPTY_CURSOR } from "../../../src/cursor/cursor.js";
import { ResourceExhaustedError } from "../../../src/errors/errors.js";
import type { StreamEvent } from "../../../src/gen/auth/auth.js";
import type { Registry } from "../../../src/observability/metrics.js";
import { collect, expectExactly, expectShardOrder, simulatedLog, uidOf, type Delivered } from "./harness.js";
import { HOUR, MINUTE, StreamSimulator, VirtualClock } from "./stream-simulator.js";

function writeMany(sim: StreamSimulator, count: number, shard?: string): string[] {
  const uids: string[] = [];
  for (let i = 0; i < count; i++) uids.push(sim.writeEvent(shard));
  return uids;
}

async function metric(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const match = values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return match?.value ?? 0;
}

/** Pulls `count` events from a stream iterator. */
async function take(stream: AsyncIterator<StreamEvent>, count: number): Promise<Delivered[]> {
  const taken: Delivered[] = [];
  for (let i = 0; i < count; i++) {
    const next = await stream.next();
    if (next.done) break;
    taken.push({ uid: uidOf(next.value.event), cursor: next.value.cursor });
  }
  return taken;
}

describe("shard readers shared between streams", () => {
  /** `subscribers` streams follow a table for half an hour while it is written to and split. */
  async function tail(subscribers: number, startPosition: "trim_horizon" | "latest" = "trim_horizon") {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock, { shards: 2, recordsPageSize: 5 });
    const start = clock.now();
    const written: string[] = [];
    for (let minute = 1; minute <= 20; minute++) {
      clock.at(start + minute * MINUTE, () => {
        for (const shard of sim.openShards()) written.push(...writeMany(sim, minute % 4, shard));
      });
    }
    clock.at(start + 10 * MINUTE + 30_000, () => sim.split(sim.openShards()[0] as string, 2));
    const { log, registry } = simulatedLog(sim, { pollIntervalMs: 1000, startPosition });
    const streams = Array.from({ length: subscribers }, () =>
      collect(log, sim, EMPTY_CURSOR, { deadline: start + 30 * MINUTE }),
    );
    const results = await Promise.all(streams);
    for (const delivered of results) {
      const uids = delivered.map((d) => d.uid);
      expectExactly(uids, written);
      expectShardOrder(uids, sim);
    }
    return { calls: sim.calls.GetRecords, registry };
  }

  it("streams tailing the same table cause one GetRecords per shard poll, not one per stream", async () => {
    const one = await tail(1);
    const five = await tail(5);
    // About one poll a second on two, then three, open shards for half an hour.
    expect(one.calls).toBeGreaterThan(3000);
    expect(five.calls).toBeLessThanOrEqual(one.calls + 10);
    expect(await metric(five.registry, "tenant_events_dynamo_shared_pages_total")).toBeGreaterThan(
      3 * one.calls,
    );
  });

  it("streams started at LATEST share too", async () => {
    const one = await tail(1, "latest");
    const four = await tail(4, "latest");
    expect(four.calls).toBeLessThanOrEqual(one.calls + 10);
  });

  it("a stream started at LATEST after another reached the end joins it and gets only what follows", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock);
    const start = clock.now();
    writeMany(sim, 3);
    const early: string[] = [];
    const late: string[] = [];
    clock.at(start + 10_000, () => early.push(...writeMany(sim, 2)));
    clock.at(start + 60_000, () => late.push(...writeMany(sim, 2)));
    const { log } = simulatedLog(sim, { startPosition: "latest", pollIntervalMs: 1000 });
    let second: Promise<Delivered[]> | undefined;
    clock.at(start + 30_000, () => {
      second = collect(log, sim, EMPTY_CURSOR, { deadline: start + 5 * MINUTE });
    });
    const first = await collect(log, sim, EMPTY_CURSOR, { deadline: start + 5 * MINUTE });
    expect(first.map((d) => d.uid)).toEqual([...early, ...late]);
    expect((await second)?.map((d) => d.uid)).toEqual(late);
    // One poll a second for five minutes, for both streams.
    expect(sim.calls.GetRecords).toBeLessThanOrEqual(5 * 60 + 5);
  });

  it("streams sharing a LATEST reader whose iterator expires on a quiet shard still get what arrived meanwhile, once", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock, { shards: 2 });
    const [a, b] = sim.openShards() as [string, string];
    writeMany(sim, 2, a);
    writeMany(sim, 2, b);
    clock.advance(HOUR);
    const start = clock.now();
    const later: string[] = [];
    clock.at(start + 10_000, () => later.push(...writeMany(sim, 2, a)));
    const { log, registry } = simulatedLog(sim, { startPosition: "latest" });
    const follow = () =>
      collect(log, sim, EMPTY_CURSOR, {
        stopWhen: (d) => d.length === 4,
        deadline: start + 2 * HOUR,
        // Each stream stalls past the iterators' lifetime after its first event; shard b gets a record.
        onEvent: (d) => {
          if (d.length !== 1) return;
          clock.advance(16 * MINUTE);
          later.push(sim.writeEvent(b));
        },
      });
    const results = await Promise.all([follow(), follow()]);
    for (const delivered of results) {
      const uids = delivered.map((d) => d.uid);
      expectExactly(uids, later);
      expectShardOrder(uids, sim);
    }
    expect(await metric(registry, "tenant_events_dynamo_iterator_renewals_total")).toBeGreaterThan(0);
  });

  it("streams resuming from different cursors each get exactly their remainder", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { shards: 2, recordsPageSize: 3 });
    const [a, b] = sim.openShards() as [string, string];
    writeMany(sim, 7, a);
    writeMany(sim, 5, b);
    const [a1, a2] = sim.split(a, 2) as [string, string];
    writeMany(sim, 4, a1);
    writeMany(sim, 6, a2);
    writeMany(sim, 4, b);
    const { log: reference } = simulatedLog(sim);
    const all = await collect(reference, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    expect(all).toHaveLength(26);

    const { log } = simulatedLog(sim, { maxReadersPerShard: 10, sharedWindowPages: 2 });
    const starts = [-1, -1, 0, 3, 3, 3, 9, 14, 20, 24, 25];
    const results = await Promise.all(
      starts.map((i, n) =>
        collect(log, sim, i < 0 ? EMPTY_CURSOR : (all[i] as Delivered).cursor, {
          untilCaughtUp: true,
          // Streams go at different paces.
          onEvent: async (d) => {
            if (d.length % (n + 1) === 0) await new Promise((resolve) => setImmediate(resolve));
          },
        }),
      ),
    );
    results.forEach((delivered, n) => {
      const uids = delivered.map((d) => d.uid);
      expectExactly(
        uids,
        all.slice((starts[n] as number) + 1).map((d) => d.uid),
      );
      expectShardOrder(uids, sim);
    });
  });

  it("streams resuming from the same cursor read it once", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 4 });
    writeMany(sim, 40);
    const { log: reference } = simulatedLog(sim);
    const all = await collect(reference, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    const cursor = (all[9] as Delivered).cursor;

    const before = sim.calls.GetRecords;
    await collect(reference, sim, cursor, { untilCaughtUp: true });
    const alone = sim.calls.GetRecords - before;

    const { log } = simulatedLog(sim);
    const again = sim.calls.GetRecords;
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => collect(log, sim, cursor, { untilCaughtUp: true })),
    );
    for (const delivered of results)
      expect(delivered.map((d) => d.uid)).toEqual(all.slice(10).map((d) => d.uid));
    expect(sim.calls.GetRecords - again).toBe(alone);
  });

  it("an until-caught-up stream is not caught up by an empty poll made before it started", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock);
    const first = writeMany(sim, 2);
    const { log } = simulatedLog(sim);
    const follower = log.streamEvents(EMPTY_CURSOR)[Symbol.asyncIterator]();
    const followed = await take(follower, 2);
    expect(followed.map((d) => d.uid)).toEqual(first);
    // The follower polls the idle shard: the shared reader's newest page is empty.
    let polled = false;
    clock.at(clock.now() + 5000, () => {
      polled = true;
    });
    const pending = follower.next();
    while (!polled) await new Promise((resolve) => setImmediate(resolve));
    const later = writeMany(sim, 2);
    const resumed = await collect(log, sim, (followed[1] as Delivered).cursor, { untilCaughtUp: true });
    expect(resumed.map((d) => d.uid)).toEqual(later);
    const next = await pending;
    expect(next.done ? undefined : uidOf(next.value.event)).toBe(later[0]);
    await follower.return?.(undefined);
  });

  it("a stalled stream holds no more than the window and does not hold back the others; it then reads on its own and rejoins at the head", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 2 });
    const written = writeMany(sim, 200);
    const windowPages = 3;
    const { log, registry } = simulatedLog(sim, { sharedWindowPages: windowPages, pageSize: 2 });
    const controller = new AbortController();
    const stalled = log.streamEvents(EMPTY_CURSOR, { signal: controller.signal })[Symbol.asyncIterator]();
    const follower = log.streamEvents(EMPTY_CURSOR, { signal: controller.signal })[Symbol.asyncIterator]();
    const stalledFirst = await take(stalled, 1);

    let heldMost = 0;
    const followed: Delivered[] = [];
    for (let i = 0; i < written.length; i++) {
      followed.push(...(await take(follower, 1)));
      heldMost = Math.max(heldMost, await metric(registry, "tenant_events_dynamo_shared_window_records"));
    }
    expect(followed.map((d) => d.uid)).toEqual(written);
    expect(heldMost).toBeGreaterThan(0);
    expect(heldMost).toBeLessThanOrEqual(windowPages * 2);

    let independentMost = 0;
    const rest: Delivered[] = [];
    for (let i = 1; i < written.length; i++) {
      rest.push(...(await take(stalled, 1)));
      independentMost = Math.max(
        independentMost,
        await metric(registry, "tenant_events_dynamo_shard_readers", { kind: "independent" }),
      );
    }
    expect([...stalledFirst, ...rest].map((d) => d.uid)).toEqual(written);
    expect(independentMost).toBe(1);

    const more = writeMany(sim, 2);
    expect((await take(follower, 2)).map((d) => d.uid)).toEqual(more);
    const calls = sim.calls.GetRecords;
    expect((await take(stalled, 2)).map((d) => d.uid)).toEqual(more);
    expect(sim.calls.GetRecords, "the stalled stream rejoined the shared reader").toBe(calls);
    expect(await metric(registry, "tenant_events_dynamo_shard_readers", { kind: "independent" })).toBe(0);
    expect(await metric(registry, "tenant_events_dynamo_shard_readers", { kind: "shared" })).toBe(1);

    controller.abort();
    await stalled.return?.(undefined);
    await follower.return?.(undefined);
    expect(await metric(registry, "tenant_events_dynamo_shard_readers", { kind: "shared" })).toBe(0);
    expect(await metric(registry, "tenant_events_dynamo_shared_window_records")).toBe(0);
  });

  it("a stream that would be a shard's third reader is RESOURCE_EXHAUSTED, and admitted once a reader leaves", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 1 });
    writeMany(sim, 30);
    const { log: reference } = simulatedLog(sim);
    const all = await collect(reference, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    const cursorAt = (i: number) => (all[i] as Delivered).cursor;

    const { log } = simulatedLog(sim, { sharedWindowPages: 1, maxReadersPerShard: 2 });
    const open = (cursor: string) => log.streamEvents(decodeCursor(cursor))[Symbol.asyncIterator]();
    const first = open("");
    expect((await take(first, 1)).map((d) => d.uid)).toEqual([all[0]?.uid]);
    const second = open(cursorAt(10));
    expect((await take(second, 1)).map((d) => d.uid)).toEqual([all[11]?.uid]);
    const third = open(cursorAt(20));
    await expect(third.next()).rejects.toThrow(ResourceExhaustedError);
    await expect(open(cursorAt(20)).next()).rejects.toThrow(/already has 2 readers \(at most 2;/);
    await second.return?.(undefined);
    const fourth = open(cursorAt(20));
    expect((await take(fourth, 1)).map((d) => d.uid)).toEqual([all[21]?.uid]);
    await first.return?.(undefined);
    await fourth.return?.(undefined);
  });

  it("a stream stalled out of the window does not pin the shared reader to its position", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 1 });
    writeMany(sim, 30);
    const { log: reference } = simulatedLog(sim);
    const all = await collect(reference, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    const uids = (from: number) => all.slice(from).map((d) => d.uid);
    // One reader a shard: any stream that cannot use the shared reader is refused.
    const { log } = simulatedLog(sim, { sharedWindowPages: 1, maxReadersPerShard: 1 });
    const stalled = log.streamEvents(EMPTY_CURSOR)[Symbol.asyncIterator]();
    expect((await take(stalled, 1)).map((d) => d.uid)).toEqual(uids(0).slice(0, 1));
    const passing = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    expect(passing.map((d) => d.uid)).toEqual(uids(0));
    const resumed = await collect(log, sim, (all[20] as Delivered).cursor, { untilCaughtUp: true });
    expect(resumed.map((d) => d.uid)).toEqual(uids(21));
    expect((await take(stalled, 29)).map((d) => d.uid)).toEqual(uids(1));
    await stalled.return?.(undefined);
  });

  it("with one reader a shard, a stream outside the shared reader's window is refused unless it is alone", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 1 });
    writeMany(sim, 10);
    const { log: reference } = simulatedLog(sim);
    const all = await collect(reference, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    const { log } = simulatedLog(sim, { sharedWindowPages: 1, maxReadersPerShard: 1 });
    const first = log.streamEvents(EMPTY_CURSOR)[Symbol.asyncIterator]();
    await take(first, 1);
    await expect(collect(log, sim, (all[5] as Delivered).cursor, { untilCaughtUp: true })).rejects.toThrow(
      ResourceExhaustedError,
    );
    await first.return?.(undefined);
    const rest = await collect(log, sim, (all[5] as Delivered).cursor, { untilCaughtUp: true });
    expect(rest.map((d) => d.uid)).toEqual(all.slice(6).map((d) => d.uid));
  });
});
