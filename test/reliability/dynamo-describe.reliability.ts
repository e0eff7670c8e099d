import { describe, expect, it } from "vitest";
import { EMPTY_CURSOR } from "../../src/cursor/cursor.js";
import {
  collect,
  expectEveryCursorResumes,
  expectExactly,
  expectShardOrder,
  simulatedLog,
} from "../auditlog/dynamo/harness.js";
import { HOUR, StreamSimulator, VirtualClock } from "../auditlog/dynamo/stream-simulator.js";
import { figure } from "./support/mode.js";
import { InconsistentDescribe } from "./support/inconsistent-describe.js";

/**
 * DescribeStream inconsistencies the DynamoDB suite does not script, over its simulator: a closed leaf
 * whose child is not listed yet, and a child listed while its parent still looks open. Either way every
 * event arrives once, parents before children, and every cursor resumes exactly.
 */
describe("DynamoDB Streams: DescribeStream behind the shards", () => {
  function writeMany(sim: StreamSimulator, count: number, shard?: string): string[] {
    return Array.from({ length: count }, () => sim.writeEvent(shard));
  }

  for (const listings of [1, 3, 10]) {
    it(`a closed leaf whose child stays unlisted for ${listings} listing(s): the child is read in full`, async () => {
      const clock = new VirtualClock();
      const sim = new StreamSimulator(clock, { recordsPageSize: 2 });
      const client = new InconsistentDescribe(sim);
      const parent = sim.openShards()[0] as string;
      const before = writeMany(sim, 5, parent);
      const [child] = sim.split(parent, 1) as [string];
      client.hide(child, listings);
      const after = writeMany(sim, 5, child);
      const { log } = simulatedLog(sim, { client, pollIntervalMs: 1000 });
      const delivered = await collect(log, sim, EMPTY_CURSOR, {
        stopWhen: (d) => d.length === 10,
        deadline: clock.now() + HOUR,
      });
      const uids = delivered.map((d) => d.uid);
      expectExactly(uids, [...before, ...after]);
      expectShardOrder(uids, sim);
      expect(client.listings).toBeGreaterThan(listings);
      await expectEveryCursorResumes(log, sim, delivered);
      figure("describe: unlisted child", { listings, describeCalls: client.listings, events: uids.length });
    });

    it(`a child listed while its parent looks open for ${listings} listing(s): parent first, then child`, async () => {
      const clock = new VirtualClock();
      const sim = new StreamSimulator(clock, { recordsPageSize: 2 });
      const client = new InconsistentDescribe(sim);
      const parent = sim.openShards()[0] as string;
      const before = writeMany(sim, 7, parent);
      const [left, right] = sim.split(parent, 2) as [string, string];
      client.showOpen(parent, listings);
      const after: string[] = [];
      for (let i = 0; i < 4; i++) after.push(sim.writeEvent(left), sim.writeEvent(right));
      const { log } = simulatedLog(sim, { client, pollIntervalMs: 1000 });
      const delivered = await collect(log, sim, EMPTY_CURSOR, {
        stopWhen: (d) => d.length === before.length + after.length,
        deadline: clock.now() + HOUR,
      });
      const uids = delivered.map((d) => d.uid);
      expectExactly(uids, [...before, ...after]);
      expectShardOrder(uids, sim);
      expect(uids.slice(0, before.length)).toEqual(before);
      await expectEveryCursorResumes(log, sim, delivered);
      figure("describe: child before parent closes", { listings, describeCalls: client.listings });
    });
  }
});
