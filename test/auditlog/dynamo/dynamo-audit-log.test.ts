import { describe, expect, it } from "vitest";
import { decodeCursor, EMPTY_CURSOR } from "../../../src/cursor/cursor.js";
import {
  DataLossError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
} from "../../../src/errors/errors.js";
import {
  collect,
  expectDeliveredInShardOrder,
  expectEveryCursorResumes,
  expectExactly,
  expectShardOrder,
  simulatedLog,
} from "./harness.js";
import { formatEvent } from "../../../src/events/codec.js";
import { stringifyJson } from "../../../src/events/json.js";
import { jsonShapeEvents } from "./fixtures.js";
import { HOUR, MINUTE, StreamSimulator, VirtualClock } from "./stream-simulator.js";

function writeMany(sim: StreamSimulator, count: number, shard?: string): string[] {
  const uids: string[] = [];
  for (let i = 0; i < count; i++) uids.push(sim.writeEvent(shard));
  return uids;
}

describe("DynamoAuditLog over the stream simulator", () => {
  it("keeps exactly-once and shard order at AWS's latency and limits", async () => {
    const sim = new StreamSimulator(new VirtualClock(), {
      shards: 3,
      recordsPageSize: 4,
      awsLimits: true,
      latency: {
        DescribeTable: { fixedMs: 20, jitterMs: 10 },
        DescribeStream: { fixedMs: 20, jitterMs: 10 },
        GetShardIterator: { fixedMs: 20, jitterMs: 10 },
        GetRecords: { fixedMs: 20, jitterMs: 10 },
      },
    });
    const [a, b, c] = sim.openShards() as [string, string, string];
    const written = [...writeMany(sim, 30, a), ...writeMany(sim, 30, b), ...writeMany(sim, 5, c)];
    const [child] = sim.split(a, 1);
    written.push(...writeMany(sim, 10, child));
    const { log } = simulatedLog(sim);
    const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    expectDeliveredInShardOrder(delivered, written, sim);
    expect(sim.limitsExceeded.getRecordsRate).toBeGreaterThan(0);
    const middle = delivered[40] as { cursor: string };
    const rest = await collect(log, sim, middle.cursor, { untilCaughtUp: true });
    expectExactly(
      rest.map((d) => d.uid),
      delivered.slice(41).map((d) => d.uid),
    );
  });

  it("reads a single open shard and resumes from every cursor", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 3 });
    const written = writeMany(sim, 10);
    const { log } = simulatedLog(sim);
    const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    expect(delivered.map((d) => d.uid)).toEqual(written);
    await expectEveryCursorResumes(log, sim, delivered);
  });

  it("split into one child (rollover): parent read to its end, child from TRIM_HORIZON", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 4 });
    const parent = sim.openShards()[0] as string;
    const before = writeMany(sim, 6, parent);
    const [child] = sim.split(parent, 1);
    const after = writeMany(sim, 5, child);
    const { log } = simulatedLog(sim);
    const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    expect(delivered.map((d) => d.uid)).toEqual([...before, ...after]);
    await expectEveryCursorResumes(log, sim, delivered);
  });

  it("split into two children: both read after the parent, each in order", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 2 });
    const parent = sim.openShards()[0] as string;
    const before = writeMany(sim, 5, parent);
    const [left, right] = sim.split(parent, 2) as [string, string];
    const after: string[] = [];
    for (let i = 0; i < 4; i++) after.push(sim.writeEvent(left), sim.writeEvent(right));
    const { log } = simulatedLog(sim);
    const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    const uids = delivered.map((d) => d.uid);
    expectExactly(uids, [...before, ...after]);
    expectShardOrder(uids, sim);
    expect(uids.slice(0, 5)).toEqual(before);
    await expectEveryCursorResumes(log, sim, delivered);
  });

  it("emits the final batch of a closing shard (records and the end arrive in one response)", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 1000 });
    const parent = sim.openShards()[0] as string;
    const before = writeMany(sim, 3, parent);
    sim.split(parent, 1);
    const { log } = simulatedLog(sim);
    const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    expect(delivered.map((d) => d.uid)).toEqual(before);
    // The last record's cursor already says the parent is finished: it names the child, not the parent.
    const last = decodeCursor((delivered.at(-1) as { cursor: string }).cursor);
    expect([...last.keys()]).toEqual(sim.openShards());
    expect([...last.values()]).toEqual(["0"]);
  });

  it("follows a shard that splits while it is being read", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock, { recordsPageSize: 2 });
    const written = writeMany(sim, 3);
    const start = clock.now();
    clock.at(start + 10_000, () => written.push(...writeMany(sim, 2)));
    clock.at(start + 20_000, () => {
      const [a, b] = sim.split(sim.openShards()[0] as string, 2) as [string, string];
      written.push(sim.writeEvent(a), sim.writeEvent(b), sim.writeEvent(a));
    });
    clock.at(start + 30_000, () => {
      const [a] = sim.split(sim.openShards()[0] as string, 1) as [string];
      written.push(sim.writeEvent(a));
    });
    const { log } = simulatedLog(sim, { refreshIntervalMs: 5 * MINUTE });
    const delivered = await collect(log, sim, EMPTY_CURSOR, {
      stopWhen: (d) => d.length === 9,
      deadline: start + HOUR,
    });
    const uids = delivered.map((d) => d.uid);
    expectExactly(uids, written);
    expectShardOrder(uids, sim);
    await expectEveryCursorResumes(log, sim, delivered);
  });

  it("renews iterators that expire while the consumer stalls for 16 minutes", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock, { recordsPageSize: 3 });
    const written = writeMany(sim, 9);
    const { log, registry } = simulatedLog(sim);
    const delivered = await collect(log, sim, EMPTY_CURSOR, {
      untilCaughtUp: true,
      onEvent: () => clock.advance(16 * MINUTE),
    });
    expect(delivered.map((d) => d.uid)).toEqual(written);
    const renewals = await registry.getSingleMetric("tenant_events_dynamo_iterator_renewals_total")?.get();
    expect(renewals?.values[0]?.value).toBeGreaterThanOrEqual(2);
  });

  it("backs off and retries when throttled, losing nothing", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 2 });
    const written = writeMany(sim, 6);
    sim.throttle(3, "GetRecords");
    sim.throttle(2, "DescribeStream");
    sim.throttle(1, "GetShardIterator");
    const { log, registry } = simulatedLog(sim);
    const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    expect(delivered.map((d) => d.uid)).toEqual(written);
    const throttles = await registry.getSingleMetric("tenant_events_dynamo_throttles_total")?.get();
    expect(throttles?.values.reduce((sum, v) => sum + v.value, 0)).toBe(6);
  });

  it("polls an empty open shard with a pause and delivers what arrives later", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock);
    const start = clock.now();
    const written: string[] = [];
    clock.at(start + 30_000, () => written.push(sim.writeEvent()));
    const { log } = simulatedLog(sim, { pollIntervalMs: 1000 });
    const delivered = await collect(log, sim, EMPTY_CURSOR, {
      stopWhen: (d) => d.length === 1,
      deadline: start + HOUR,
    });
    expect(delivered.map((d) => d.uid)).toEqual(written);
    // About one GetRecords per poll interval while empty, not a busy loop.
    expect(sim.calls.GetRecords).toBeGreaterThanOrEqual(25);
    expect(sim.calls.GetRecords).toBeLessThanOrEqual(35);
  });

  it("skips MODIFY, REMOVE and chunk records while keeping their positions", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 2 });
    const a = sim.writeEvent();
    sim.writeNonEvent("MODIFY");
    sim.writeNonEvent("CHUNK");
    const b = sim.writeEvent();
    sim.writeNonEvent("REMOVE");
    const { log } = simulatedLog(sim);
    const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    expect(delivered.map((d) => d.uid)).toEqual([a, b]);
    await expectEveryCursorResumes(log, sim, delivered);
  });

  it("delivers events holding every JSON shape, as the SDK hands their items, unchanged", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 4 });
    const shapes = jsonShapeEvents().map((event) => {
      const { uid: _uid, time: _time, ...fields } = event;
      return fields;
    });
    const uids = shapes.map((fields) => sim.writeEvent(undefined, fields));
    const { log } = simulatedLog(sim);
    const delivered: unknown[] = [];
    for await (const item of log.streamEvents(EMPTY_CURSOR, { untilCaughtUp: true })) {
      delivered.push(JSON.parse(formatEvent(item.event ?? {})));
    }
    expect(delivered).toEqual(
      shapes.map((fields): unknown => expect.objectContaining(JSON.parse(stringifyJson(fields)) as object)),
    );
    expect(delivered.map((event) => (event as { uid: string }).uid)).toEqual(uids);
  });

  it("pages DescribeStream past 100 shards", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { shards: 4, recordsPageSize: 5 });
    const written: string[] = [];
    for (let round = 0; round < 30; round++) {
      for (const shard of sim.openShards()) {
        written.push(sim.writeEvent(shard));
        sim.split(shard, 1);
      }
    }
    expect(sim.allShards().length).toBeGreaterThan(100);
    const { log } = simulatedLog(sim);
    const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
    const uids = delivered.map((d) => d.uid);
    expectExactly(uids, written);
    expectShardOrder(uids, sim);
    expect(sim.pagedDescribeCalls).toBeGreaterThan(0);
    // The cursor stays as small as the frontier: one entry per open lineage.
    expect(decodeCursor((delivered.at(-1) as { cursor: string }).cursor).size).toBeLessThanOrEqual(4);
    await expectEveryCursorResumes(log, sim, delivered.slice(-10));
  });

  it("until caught up ends on a shard that never goes quiet, once it reaches records written after the start", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock, { recordsPageSize: 2 });
    const before = writeMany(sim, 5);
    const { log } = simulatedLog(sim, { clockSkewMs: 5000 });
    const delivered = await collect(log, sim, EMPTY_CURSOR, {
      untilCaughtUp: true,
      deadline: clock.now() + HOUR,
      // Every event delivered is followed by a new write 10 s later: no page is ever empty.
      onEvent: () => {
        clock.advance(10_000);
        sim.writeEvent();
      },
    });
    const uids = delivered.map((d) => d.uid);
    expect(uids.slice(0, before.length)).toEqual(before);
    expect(uids.length).toBeLessThan(before.length + 5);
  });

  it("reads no further ahead than one page of what the consumer has taken", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 3 });
    writeMany(sim, 30);
    const { log } = simulatedLog(sim);
    const stream = log.streamEvents(EMPTY_CURSOR)[Symbol.asyncIterator]();
    await stream.next();
    await stream.next();
    await stream.next();
    expect(sim.calls.GetRecords).toBe(1);
    await stream.next();
    expect(sim.calls.GetRecords).toBe(2);
    await stream.return?.();
  });

  describe("shards read concurrently", () => {
    const roundTrips = {
      GetShardIterator: { fixedMs: 20 },
      GetRecords: { fixedMs: 20 },
    };

    it("has a read of every due shard in flight at once, and delivers each shard in order", async () => {
      const sim = new StreamSimulator(new VirtualClock(), {
        shards: 16,
        recordsPageSize: 2,
        latency: roundTrips,
      });
      const written = sim.openShards().flatMap((shard) => writeMany(sim, 5, shard));
      const { log } = simulatedLog(sim);
      const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
      expect(sim.peakInFlight.GetShardIterator).toBe(16);
      expect(sim.peakInFlight.GetRecords).toBe(16);
      expectDeliveredInShardOrder(delivered, written, sim);
      await expectEveryCursorResumes(log, sim, delivered);
    });

    it("keeps at most maxConcurrentShardReads reads in flight", async () => {
      const sim = new StreamSimulator(new VirtualClock(), {
        shards: 16,
        recordsPageSize: 2,
        latency: roundTrips,
      });
      const written = sim.openShards().flatMap((shard) => writeMany(sim, 5, shard));
      const { log } = simulatedLog(sim, { maxConcurrentShardReads: 4 });
      const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
      expect(sim.peakInFlight.GetShardIterator).toBe(4);
      expect(sim.peakInFlight.GetRecords).toBe(4);
      expectExactly(
        delivered.map((d) => d.uid),
        written,
      );
    });

    it("reads nothing more while the consumer holds a page: at most one page a shard, the bound in all", async () => {
      const sim = new StreamSimulator(new VirtualClock(), {
        shards: 8,
        recordsPageSize: 3,
        latency: roundTrips,
      });
      for (const shard of sim.openShards()) writeMany(sim, 30, shard);
      const { log } = simulatedLog(sim, { maxConcurrentShardReads: 5 });
      const stream = log.streamEvents(EMPTY_CURSOR)[Symbol.asyncIterator]();
      await stream.next();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      // The five first pages; the consumer has not finished the first, so no read has started since.
      expect(sim.calls.GetRecords).toBe(5);
      expect(sim.inFlight.GetRecords).toBe(0);
      await stream.return?.();
    });

    it("refuses a bound that is not a positive whole number", () => {
      const sim = new StreamSimulator(new VirtualClock());
      for (const bad of [0, -1, 1.5, Number.NaN]) {
        expect(() => simulatedLog(sim, { maxConcurrentShardReads: bad })).toThrow(
          /maxConcurrentShardReads must be a positive whole number/,
        );
      }
    });
  });

  it("counts the shards being read and returns the gauge to zero when the stream ends", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { shards: 3 });
    for (const shard of sim.openShards()) writeMany(sim, 2, shard);
    const { log, registry } = simulatedLog(sim);
    const gauge = async () =>
      (await registry.getSingleMetric("tenant_events_dynamo_shards_active")?.get())?.values[0]?.value ?? 0;
    const stream = log.streamEvents(EMPTY_CURSOR)[Symbol.asyncIterator]();
    await stream.next();
    expect(await gauge()).toBe(3);
    await stream.return?.();
    expect(await gauge()).toBe(0);
  });

  describe("trimmed positions (24 h retention)", () => {
    function trimmedHistory() {
      const clock = new VirtualClock();
      const sim = new StreamSimulator(clock, { recordsPageSize: 2 });
      const old = writeMany(sim, 4);
      return { clock, sim, old };
    }

    it("a cursor into trimmed records is DATA_LOSS by default", async () => {
      const { clock, sim } = trimmedHistory();
      const { log } = simulatedLog(sim);
      const first = await collect(log, sim, EMPTY_CURSOR, {
        stopWhen: (d) => d.length === 1,
        deadline: clock.now() + HOUR,
      });
      clock.advance(25 * HOUR);
      sim.writeEvent();
      await expect(
        collect(log, sim, (first[0] as { cursor: string }).cursor, { untilCaughtUp: true }),
      ).rejects.toThrow(DataLossError);
      await expect(
        collect(log, sim, (first[0] as { cursor: string }).cursor, { untilCaughtUp: true }),
      ).rejects.toThrow(/trimmed .*24 hours/);
    });

    it('onTrim "skip" logs a gap, counts it and continues from TRIM_HORIZON', async () => {
      const { clock, sim } = trimmedHistory();
      const { log, registry } = simulatedLog(sim, { onTrim: "skip" });
      const first = await collect(log, sim, EMPTY_CURSOR, {
        stopWhen: (d) => d.length === 1,
        deadline: clock.now() + HOUR,
      });
      clock.advance(25 * HOUR);
      const fresh = writeMany(sim, 2);
      const rest = await collect(log, sim, (first[0] as { cursor: string }).cursor, { untilCaughtUp: true });
      expect(rest.map((d) => d.uid)).toEqual(fresh);
      const gaps = await registry.getSingleMetric("tenant_events_dynamo_data_loss_gaps_total")?.get();
      expect(gaps?.values[0]?.value).toBe(1);
    });

    it("a cursor whose shard has left the stream (its child remains) is DATA_LOSS", async () => {
      const { clock, sim } = trimmedHistory();
      const { log } = simulatedLog(sim);
      const first = await collect(log, sim, EMPTY_CURSOR, {
        stopWhen: (d) => d.length === 1,
        deadline: clock.now() + HOUR,
      });
      const [child] = sim.split(sim.openShards()[0] as string, 1) as [string];
      clock.advance(25 * HOUR);
      sim.writeEvent(child);
      await expect(
        collect(log, sim, (first[0] as { cursor: string }).cursor, { untilCaughtUp: true }),
      ).rejects.toThrow(DataLossError);
    });

    it("an empty cursor starts at what remains, without a gap", async () => {
      const { clock, sim } = trimmedHistory();
      clock.advance(25 * HOUR);
      const fresh = writeMany(sim, 2);
      const { log } = simulatedLog(sim);
      const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
      expect(delivered.map((d) => d.uid)).toEqual(fresh);
    });
  });

  describe("start position", () => {
    it("latest skips what was there at a fresh start and reads what comes after", async () => {
      const clock = new VirtualClock();
      const sim = new StreamSimulator(clock);
      const closed = sim.openShards()[0] as string;
      writeMany(sim, 3, closed);
      const [open] = sim.split(closed, 1) as [string];
      writeMany(sim, 2, open);
      const start = clock.now();
      const later: string[] = [];
      clock.at(start + 5000, () => later.push(...writeMany(sim, 2, open)));
      const { log } = simulatedLog(sim, { startPosition: "latest" });
      expect(await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true })).toEqual([]);
      const delivered = await collect(log, sim, EMPTY_CURSOR, {
        stopWhen: (d) => d.length === 2,
        deadline: start + HOUR,
      });
      expect(delivered.map((d) => d.uid)).toEqual(later);
    });

    it("latest: a quiet shard whose iterator expires during a stall still delivers what arrived meanwhile", async () => {
      const clock = new VirtualClock();
      const sim = new StreamSimulator(clock, { shards: 2 });
      const [a, b] = sim.openShards() as [string, string];
      writeMany(sim, 2, a);
      writeMany(sim, 2, b);
      clock.advance(HOUR);
      const start = clock.now();
      const later: string[] = [];
      clock.at(start + 10_000, () => later.push(...writeMany(sim, 2, a)));
      const { log } = simulatedLog(sim, { startPosition: "latest" });
      const delivered = await collect(log, sim, EMPTY_CURSOR, {
        stopWhen: (d) => d.length === 3,
        deadline: start + 2 * HOUR,
        onEvent: (d) => {
          if (d.length !== 1) return;
          clock.advance(16 * MINUTE);
          later.push(sim.writeEvent(b));
        },
      });
      expectExactly(
        delivered.map((d) => d.uid),
        later,
      );
    });

    it("latest does not apply to a non-empty cursor: unnamed shards are read from TRIM_HORIZON", async () => {
      const sim = new StreamSimulator(new VirtualClock(), { shards: 2 });
      const [a, b] = sim.openShards() as [string, string];
      const fromA = writeMany(sim, 2, a);
      const fromB = writeMany(sim, 2, b);
      const { log } = simulatedLog(sim, { startPosition: "latest" });
      const all = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
      expect(all).toEqual([]);
      const { log: trimHorizon } = simulatedLog(sim);
      const first = await collect(trimHorizon, sim, EMPTY_CURSOR, { untilCaughtUp: true });
      const cursorAfterA = (first.find((d) => d.uid === fromA[0]) as { cursor: string }).cursor;
      const rest = await collect(log, sim, cursorAfterA, { untilCaughtUp: true });
      expectExactly(
        rest.map((d) => d.uid),
        first.slice(first.findIndex((d) => d.uid === fromA[0]) + 1).map((d) => d.uid),
      );
      expect(fromB.every((uid) => rest.some((d) => d.uid === uid))).toBe(true);
    });
  });

  describe("bad input", () => {
    it("a malformed cursor is refused when decoded, saying what is wrong", () => {
      expect(() => decodeCursor("not json")).toThrow(InvalidArgumentError);
      expect(() => decodeCursor('{"shard_id_to_sequence_number":{"s":12}}')).toThrow(
        /must be a decimal string/,
      );
    });

    it("a cursor naming another table's shards is INVALID_ARGUMENT", async () => {
      const sim = new StreamSimulator(new VirtualClock());
      writeMany(sim, 2);
      const { log } = simulatedLog(sim);
      const foreign = new Map([["shardId-00000001999999999999-0badcafe", "100000000000000000001"]]);
      await expect(collect(log, sim, foreign, { untilCaughtUp: true })).rejects.toThrow(InvalidArgumentError);
      await expect(collect(log, sim, foreign, { untilCaughtUp: true })).rejects.toThrow(
        /cursor names shard "shardId-00000001999999999999-0badcafe", which the stream of table teleport-events does not have/,
      );
      const fileCursor = new Map([["2026-09-01.log", "4096"]]);
      await expect(collect(log, sim, fileCursor, { untilCaughtUp: true })).rejects.toThrow(
        InvalidArgumentError,
      );
    });

    it("a sequence number that is not the shard's is INVALID_ARGUMENT", async () => {
      const sim = new StreamSimulator(new VirtualClock());
      writeMany(sim, 2);
      const { log } = simulatedLog(sim);
      const cursor = new Map([[sim.openShards()[0] as string, "999999999999999999999999"]]);
      await expect(collect(log, sim, cursor, { untilCaughtUp: true })).rejects.toThrow(
        /sequence number 999999999999999999999999 is not a position in shard/,
      );
    });

    it("a table without a stream is FAILED_PRECONDITION", async () => {
      const sim = new StreamSimulator(new VirtualClock(), { streamEnabled: false });
      const { log } = simulatedLog(sim);
      await expect(collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true })).rejects.toThrow(
        FailedPreconditionError,
      );
      await expect(collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true })).rejects.toThrow(
        "DynamoDB Streams is not enabled on table teleport-events: enable it with view type NEW_IMAGE",
      );
    });

    it("a stream without new images is FAILED_PRECONDITION", async () => {
      const sim = new StreamSimulator(new VirtualClock(), { viewType: "KEYS_ONLY" });
      const { log } = simulatedLog(sim);
      await expect(collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true })).rejects.toThrow(
        /view type KEYS_ONLY/,
      );
    });

    it("a missing table is NOT_FOUND", async () => {
      const sim = new StreamSimulator(new VirtualClock());
      const { log } = simulatedLog(sim, { table: "no-such-table" });
      await expect(collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true })).rejects.toThrow(NotFoundError);
      await expect(collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true })).rejects.toThrow(
        "table no-such-table not found",
      );
    });

    it("a stream disabled while followed ends with FAILED_PRECONDITION once drained", async () => {
      const clock = new VirtualClock();
      const sim = new StreamSimulator(clock);
      const written = writeMany(sim, 2);
      clock.at(clock.now() + 10_000, () => sim.disableStream());
      const { log } = simulatedLog(sim);
      const delivered: string[] = [];
      const controller = new AbortController();
      await expect(
        (async () => {
          for await (const e of log.streamEvents(EMPTY_CURSOR, { signal: controller.signal }))
            delivered.push(e.cursor);
        })(),
      ).rejects.toThrow("the stream of table teleport-events has been disabled");
      expect(delivered).toHaveLength(written.length);
    });
  });

  describe("streams on one log", () => {
    it("share the table's listing: DescribeTable and DescribeStream about as often as for one stream", async () => {
      const followFor = async (streams: number) => {
        const clock = new VirtualClock();
        const sim = new StreamSimulator(clock, { shards: 4 });
        const written = sim.openShards().flatMap((shard) => writeMany(sim, 3, shard));
        clock.at(clock.now() + 3 * MINUTE, () => {
          for (const child of sim.split(sim.openShards()[0] as string, 2))
            written.push(...writeMany(sim, 2, child));
        });
        const { log } = simulatedLog(sim, { refreshIntervalMs: 60_000 });
        const deadline = clock.now() + 10 * MINUTE;
        const runs = await Promise.all(
          Array.from({ length: streams }, () => collect(log, sim, EMPTY_CURSOR, { deadline })),
        );
        for (const delivered of runs) {
          expectExactly(
            delivered.map((d) => d.uid),
            written,
          );
        }
        return { describeTable: sim.calls.DescribeTable, describeStream: sim.calls.DescribeStream };
      };
      const one = await followFor(1);
      const eight = await followFor(8);
      // One stream lists at its start, every minute and when a shard ends.
      expect(one.describeStream).toBeGreaterThanOrEqual(9);
      expect(eight.describeTable).toBe(1);
      expect(eight.describeStream).toBeLessThanOrEqual(one.describeStream + 2);
    });

    it("a stream starting on a listing older than a split still reads the children's earlier records", async () => {
      const clock = new VirtualClock();
      const sim = new StreamSimulator(clock);
      const parent = sim.openShards()[0] as string;
      const written = writeMany(sim, 3, parent);
      const { log } = simulatedLog(sim, { refreshIntervalMs: 60_000 });
      await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
      const listed = sim.calls.DescribeStream;
      clock.advance(1000);
      for (const child of sim.split(parent, 2)) written.push(...writeMany(sim, 2, child));
      clock.advance(1000);
      const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
      expectDeliveredInShardOrder(delivered, written, sim);
      // It started on the first stream's listing, and listed once more when the parent ended.
      expect(sim.calls.DescribeStream).toBe(listed + 1);
    });

    it("refuses streams past the bound with RESOURCE_EXHAUSTED", async () => {
      const sim = new StreamSimulator(new VirtualClock());
      writeMany(sim, 3);
      const { log } = simulatedLog(sim, { maxStreams: 1 });
      const controller = new AbortController();
      const first = log.streamEvents(EMPTY_CURSOR, { signal: controller.signal })[Symbol.asyncIterator]();
      await first.next();
      const second = log.streamEvents(EMPTY_CURSOR, { signal: controller.signal })[Symbol.asyncIterator]();
      await expect(second.next()).rejects.toThrow(ResourceExhaustedError);
      await first.return?.();
      const third = log.streamEvents(EMPTY_CURSOR, { signal: controller.signal })[Symbol.asyncIterator]();
      expect((await third.next()).done).toBe(false);
      await third.return?.();
    });

    it("close() ends open streams with UNAVAILABLE so clients resume", async () => {
      const sim = new StreamSimulator(new VirtualClock());
      writeMany(sim, 3);
      const { log } = simulatedLog(sim);
      const stream = log.streamEvents(EMPTY_CURSOR)[Symbol.asyncIterator]();
      await stream.next();
      await log.close();
      await expect(
        (async () => {
          for (;;) if ((await stream.next()).done) return;
        })(),
      ).rejects.toThrow(UnavailableError);
    });

    it("aborting the signal ends the stream quietly", async () => {
      const clock = new VirtualClock();
      const sim = new StreamSimulator(clock);
      writeMany(sim, 3);
      const { log } = simulatedLog(sim);
      const delivered = await collect(log, sim, EMPTY_CURSOR, { deadline: clock.now() + MINUTE });
      expect(delivered).toHaveLength(3);
    });
  });
});
