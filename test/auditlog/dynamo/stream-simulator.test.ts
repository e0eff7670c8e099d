import { describe, expect, it } from "vitest";
import { ThrottledError } from "../../../src/auditlog/dynamo/streams-errors.js";
import { AWS_STREAMS_LIMITS, StreamSimulator, VirtualClock } from "./stream-simulator.js";

const arnOf = (sim: StreamSimulator) => sim.streamArn;

async function iterator(sim: StreamSimulator, shardId: string): Promise<string> {
  return sim.getShardIterator({ streamArn: arnOf(sim), shardId, type: "TRIM_HORIZON" });
}

describe("StreamSimulator latency", () => {
  it("takes no virtual time per call by default", async () => {
    const sim = new StreamSimulator(new VirtualClock());
    const start = sim.clock.now();
    await sim.describeTableStream(sim.table);
    await sim.getRecords(await iterator(sim, sim.openShards()[0] as string), 10);
    expect(sim.clock.now()).toBe(start);
  });

  it("spends each operation's round trip, fixed plus jitter within its bound", async () => {
    const sim = new StreamSimulator(new VirtualClock(), {
      latency: { GetRecords: { fixedMs: 20, jitterMs: 10 }, GetShardIterator: { fixedMs: 5 } },
    });
    const shard = sim.openShards()[0] as string;
    let at = sim.clock.now();
    const it0 = await iterator(sim, shard);
    expect(sim.clock.now() - at).toBe(5);
    const spent: number[] = [];
    for (let i = 0; i < 50; i++) {
      at = sim.clock.now();
      await sim.getRecords(it0, 10);
      spent.push(sim.clock.now() - at);
    }
    expect(Math.min(...spent)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...spent)).toBeLessThanOrEqual(30);
    expect(new Set(spent).size).toBeGreaterThan(1);
    at = sim.clock.now();
    await sim.describeTableStream(sim.table);
    expect(sim.clock.now()).toBe(at);
  });

  it("sees what was written during the first half of the round trip", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock, { latency: { GetRecords: { fixedMs: 100 } } });
    const shard = sim.openShards()[0] as string;
    const it0 = await iterator(sim, shard);
    clock.at(clock.now() + 40, () => sim.writeEvent(shard));
    clock.at(clock.now() + 60, () => sim.writeEvent(shard));
    const page = await sim.getRecords(it0, 10);
    expect(page.records).toHaveLength(1);
  });
});

describe("StreamSimulator AWS limits", () => {
  it("are off by default", async () => {
    const sim = new StreamSimulator(new VirtualClock());
    const it0 = await iterator(sim, sim.openShards()[0] as string);
    for (let i = 0; i < 50; i++) await sim.getRecords(it0, 10);
    for (let i = 0; i < 50; i++) await sim.describeStream(sim.streamArn);
    expect(sim.limitsExceeded).toEqual({ getRecordsRate: 0, describeStreamRate: 0, readers: 0 });
  });

  it("allow 5 GetRecords a second per shard across readers, each shard on its own", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { shards: 2, awsLimits: true });
    const [a, b] = sim.openShards() as [string, string];
    const first = await iterator(sim, a);
    const second = await iterator(sim, a);
    for (let i = 0; i < 3; i++) await sim.getRecords(first, 10);
    for (let i = 0; i < 2; i++) await sim.getRecords(second, 10);
    await expect(sim.getRecords(first, 10)).rejects.toBeInstanceOf(ThrottledError);
    await expect(sim.getRecords(second, 10)).rejects.toBeInstanceOf(ThrottledError);
    const other = await iterator(sim, b);
    for (let i = 0; i < 5; i++) await sim.getRecords(other, 10);
    expect(sim.limitsExceeded.getRecordsRate).toBe(2);
    sim.clock.advance(1000);
    await expect(sim.getRecords(first, 10)).resolves.toBeDefined();
  });

  it("count a sliding second, not calendar seconds", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { awsLimits: true });
    const it0 = await iterator(sim, sim.openShards()[0] as string);
    for (let i = 0; i < 5; i++) {
      await sim.getRecords(it0, 10);
      sim.clock.advance(150);
    }
    // The first call was 750 ms ago: still inside the second.
    await expect(sim.getRecords(it0, 10)).rejects.toBeInstanceOf(ThrottledError);
    sim.clock.advance(250);
    await expect(sim.getRecords(it0, 10)).resolves.toBeDefined();
  });

  it("allow 10 DescribeStream calls a second", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { awsLimits: true });
    for (let i = 0; i < AWS_STREAMS_LIMITS.describeStreamPerSecond; i++)
      await sim.describeStream(sim.streamArn);
    await expect(sim.describeStream(sim.streamArn)).rejects.toBeInstanceOf(ThrottledError);
    expect(sim.limitsExceeded.describeStreamRate).toBe(1);
    sim.clock.advance(1000);
    await expect(sim.describeStream(sim.streamArn)).resolves.toBeDefined();
  });

  it("refuse a third reader on a shard until one has been idle a second", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { awsLimits: true });
    const shard = sim.openShards()[0] as string;
    const first = await iterator(sim, shard);
    const second = await iterator(sim, shard);
    const third = await iterator(sim, shard);
    // A reader is the chain of iterators from one GetShardIterator: following nextIterator stays one.
    const next = (await sim.getRecords(first, 10)).nextIterator as string;
    await sim.getRecords(next, 10);
    await sim.getRecords(second, 10);
    await expect(sim.getRecords(third, 10)).rejects.toBeInstanceOf(ThrottledError);
    expect(sim.limitsExceeded.readers).toBe(1);
    expect(sim.peakReadersPerShard).toBe(2);
    sim.clock.advance(1000);
    await expect(sim.getRecords(third, 10)).resolves.toBeDefined();
  });
});

describe("VirtualClock", () => {
  it("rings an alarm once a sleep carries time past it, unless it was cancelled", async () => {
    const clock = new VirtualClock(0);
    const rung: string[] = [];
    clock.alarm(100, () => rung.push("kept"));
    const cancel = clock.alarm(50, () => rung.push("cancelled"));
    cancel();
    await clock.sleep(99, new AbortController().signal);
    expect(rung).toEqual([]);
    await clock.sleep(1, new AbortController().signal);
    expect(rung).toEqual(["kept"]);
    expect(clock.now()).toBe(100);
  });
});
