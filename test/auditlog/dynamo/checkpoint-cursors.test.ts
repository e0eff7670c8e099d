import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareSequenceNumbers, decodeCursor, EMPTY_CURSOR } from "../../../src/cursor/cursor.js";
import { DataLossError } from "../../../src/errors/errors.js";
import type { DynamoAuditLog } from "../../../src/auditlog/dynamo/dynamo-audit-log.js";
import { collect, expectExactly, expectShardOrder, simulatedLog, uidOf } from "./harness.js";
import { apply, opArbitrary } from "./random-history.js";
import { readConditionsArbitrary, simulatorConditions } from "./read-conditions.js";
import { HOUR, MINUTE, StreamSimulator, VirtualClock } from "./stream-simulator.js";

/** One message of a stream in "checkpoints" mode: uid undefined for a checkpoint without an event. */
interface Message {
  uid: string | undefined;
  cursor: string;
}

/** Reads until caught up, or stops once `stopAfter` messages, a checkpoint among them, have come. */
async function checkpoints(log: DynamoAuditLog, cursor: string, stopAfter = Infinity): Promise<Message[]> {
  const controller = new AbortController();
  const messages: Message[] = [];
  for await (const item of log.streamEvents(decodeCursor(cursor), {
    signal: controller.signal,
    untilCaughtUp: true,
    cursors: "checkpoints",
  })) {
    messages.push({ uid: item.event === undefined ? undefined : uidOf(item.event), cursor: item.cursor });
    if (messages.length >= stopAfter && messages.some((m) => m.cursor !== "")) controller.abort();
  }
  return messages;
}

const uids = (messages: readonly Message[]): string[] =>
  messages.flatMap((m) => (m.uid === undefined ? [] : [m.uid]));

describe('DynamoAuditLog with cursors: "checkpoints"', () => {
  it("sends a checkpoint at a page's end once 8 events per cursor entry have gone, and when caught up", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 4 });
    const written = Array.from({ length: 10 }, () => sim.writeEvent());
    const { log } = simulatedLog(sim);
    const messages = await checkpoints(log, "");
    const everyEvent = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });

    expect(uids(messages)).toEqual(written);
    // Pages of 4: the second page's end is the first with 8 events since the start; the third page's
    // 2 events are not enough, so the checkpoint comes alone once the stream has caught up.
    expect(messages.map((m) => [m.uid !== undefined, m.cursor !== ""])).toEqual([
      ...Array.from({ length: 7 }, () => [true, false]),
      [true, true],
      [true, false],
      [true, false],
      [false, true],
    ]);
    expect(messages[7]?.cursor).toBe(everyEvent[7]?.cursor);
    expect(messages.at(-1)?.cursor).toBe(everyEvent.at(-1)?.cursor);
  });

  it("sends a checkpoint after a second of reading even when few events have gone", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock, { shards: 2, recordsPageSize: 1 });
    const [left, right] = sim.openShards() as [string, string];
    for (let i = 0; i < 3; i++) sim.writeEvent(left);
    for (let i = 0; i < 3; i++) sim.writeEvent(right);
    const { log } = simulatedLog(sim);
    // Each message takes the consumer 600 ms of (virtual) time.
    const controller = new AbortController();
    const cursors: string[] = [];
    for await (const item of log.streamEvents(EMPTY_CURSOR, {
      signal: controller.signal,
      untilCaughtUp: true,
      cursors: "checkpoints",
    })) {
      cursors.push(item.cursor);
      clock.advance(600);
    }
    // Far fewer than 16 events (8 per entry), yet the first page's end a second or more after the last
    // checkpoint (or the start) carries a cursor: pages read at 0, 0.6, 1.2, 1.8, 2.4 and 3.0 s.
    expect(cursors.slice(0, 6).map((c) => c !== "")).toEqual([false, false, true, false, true, false]);
  });

  it("catching up past records that are not events sends the checkpoint alone, past them", async () => {
    const sim = new StreamSimulator(new VirtualClock(), { recordsPageSize: 2 });
    const a = sim.writeEvent();
    sim.writeNonEvent("MODIFY");
    sim.writeNonEvent("REMOVE");
    sim.writeNonEvent("CHUNK");
    const { log } = simulatedLog(sim);
    const messages = await checkpoints(log, "");
    const everyEvent = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });

    expect(messages.map((m) => m.uid)).toEqual([a, undefined]);
    const checkpoint = messages[1]?.cursor ?? "";
    const shard = sim.openShards()[0] as string;
    const [eventAt, checkpointAt] = [everyEvent[0]?.cursor ?? "", checkpoint].map(
      (c) => decodeCursor(c).get(shard) ?? "",
    );
    expect(compareSequenceNumbers(checkpointAt ?? "", eventAt ?? "")).toBeGreaterThan(0);
    // Nothing has moved since: no message at all.
    expect(await checkpoints(log, checkpoint)).toEqual([]);
  });

  it("moves the cursor past a shard that ends without records, naming its child", async () => {
    const sim = new StreamSimulator(new VirtualClock());
    const parent = sim.openShards()[0] as string;
    const a = sim.writeEvent(parent);
    const { log } = simulatedLog(sim);
    const first = await checkpoints(log, "");
    expect(uids(first)).toEqual([a]);
    const [child] = sim.split(parent, 1) as [string];

    const messages = await checkpoints(log, first.at(-1)?.cursor ?? "");
    expect(messages.map((m) => m.uid)).toEqual([undefined]);
    const moved = messages[0]?.cursor ?? "";
    expect([...decodeCursor(moved).keys()]).toEqual([child]);
    const b = sim.writeEvent(child);
    expect(uids(await checkpoints(log, moved))).toEqual([b]);
  });

  it("a table quiet for over a day: the checkpoints follow the shard rollovers, so resuming loses nothing and is not DATA_LOSS", async () => {
    const clock = new VirtualClock();
    const sim = new StreamSimulator(clock);
    const a = sim.writeEvent();
    const start = clock.now();
    // A rollover every 4 hours, no writes at all, for 30 hours: the first shard leaves the stream.
    for (let h = 4; h <= 28; h += 4) {
      clock.at(start + h * HOUR, () => sim.split(sim.openShards()[0] as string, 1));
    }
    const { log } = simulatedLog(sim, { refreshIntervalMs: 10 * MINUTE, pollIntervalMs: MINUTE });
    const controller = new AbortController();
    clock.at(start + 30 * HOUR, () => controller.abort());
    const messages: Message[] = [];
    for await (const item of log.streamEvents(EMPTY_CURSOR, {
      signal: controller.signal,
      cursors: "checkpoints",
    })) {
      messages.push({ uid: item.event === undefined ? undefined : uidOf(item.event), cursor: item.cursor });
    }
    expect(uids(messages)).toEqual([a]);
    const last = messages.findLast((m) => m.cursor !== "")?.cursor ?? "";
    expect([...decodeCursor(last).keys()]).toEqual(sim.openShards());

    const b = sim.writeEvent();
    expect(uids(await checkpoints(log, last))).toEqual([b]);
    // The first checkpoint is the position just after `a`, all a client that saved only at events would
    // have: it names the first shard, gone from the stream, so resuming there is DATA_LOSS.
    const afterA = messages.find((m) => m.cursor !== "")?.cursor ?? "";
    expect([...decodeCursor(afterA).keys()]).not.toEqual(sim.openShards());
    await expect(checkpoints(log, afterA)).rejects.toThrow(DataLossError);
  });

  it("over random histories: every event once, in shard order; every checkpoint resumes to exactly the rest", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArbitrary, { maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        readConditionsArbitrary,
        async (ops, roots, pageSize, conditions) => {
          const sim = new StreamSimulator(new VirtualClock(), {
            shards: roots,
            recordsPageSize: pageSize,
            ...simulatorConditions(conditions),
          });
          const written = ops.map((op) => apply(sim, op)).filter((uid): uid is string => uid !== undefined);
          const { log } = simulatedLog(sim, { maxConcurrentShardReads: conditions.maxConcurrentShardReads });
          const messages = await checkpoints(log, "");
          expectExactly(uids(messages), written);
          expectShardOrder(uids(messages), sim);
          if (messages.length > 0) expect(messages.at(-1)?.cursor).not.toBe("");
          for (let i = 0; i < messages.length; i++) {
            const { cursor } = messages[i] as Message;
            if (cursor === "") continue;
            const rest = uids(await checkpoints(log, cursor));
            expectExactly(rest, uids(messages.slice(i + 1)));
            expectShardOrder(rest, sim);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("over random histories: interrupted anywhere and resumed from the last checkpoint, nothing is lost or kept twice", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArbitrary, { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
        readConditionsArbitrary,
        async (ops, chunks, conditions) => {
          const sim = new StreamSimulator(new VirtualClock(), {
            shards: 2,
            recordsPageSize: 3,
            ...simulatorConditions(conditions),
          });
          const written = ops.map((op) => apply(sim, op)).filter((uid): uid is string => uid !== undefined);
          const { log } = simulatedLog(sim, { maxConcurrentShardReads: conditions.maxConcurrentShardReads });
          const kept: string[] = [];
          let cursor = "";
          for (let i = 0; ; i++) {
            expect(i, "resumes").toBeLessThan(200);
            const part = await checkpoints(log, cursor, chunks[i % chunks.length]);
            if (part.length === 0) break;
            // What a client does: keep what precedes the last checkpoint, drop the rest (it comes again).
            const last = part.findLastIndex((m) => m.cursor !== "");
            expect(last).toBeGreaterThanOrEqual(0);
            kept.push(...uids(part.slice(0, last + 1)));
            cursor = (part[last] as Message).cursor;
          }
          expectExactly(kept, written);
        },
      ),
      { numRuns: 100 },
    );
  });
});
