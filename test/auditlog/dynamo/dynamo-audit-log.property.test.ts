import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY_CURSOR } from "../../../src/cursor/cursor.js";
import {
  collect,
  expectEveryCursorResumes,
  expectExactly,
  expectShardOrder,
  simulatedLog,
} from "./harness.js";
import { apply, opArbitrary } from "./random-history.js";
import { readConditionsArbitrary, simulatorConditions } from "./read-conditions.js";
import { HOUR, MINUTE, StreamSimulator, VirtualClock, seededRandom } from "./stream-simulator.js";

describe("DynamoAuditLog properties over random stream histories, with round trips, AWS limits and concurrent reads", () => {
  it("reads a finished history exactly once, in shard order, and every cursor resumes to exactly the rest", async () => {
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
          const delivered = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
          const uids = delivered.map((d) => d.uid);
          expectExactly(uids, written);
          expectShardOrder(uids, sim);
          expect(sim.peakInFlight.GetRecords).toBeLessThanOrEqual(conditions.maxConcurrentShardReads);
          await expectEveryCursorResumes(log, sim, delivered);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("following a live stream (splits, throttling, 16-minute stalls, empty polls) loses and repeats nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * MINUTE }), opArbitrary), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 1, max: 4 })), {
          maxLength: 4,
        }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.record({
          pageSize: fc.integer({ min: 1, max: 4 }),
          pollIntervalMs: fc.integer({ min: 1000, max: 5000 }),
          refreshIntervalMs: fc.integer({ min: 10_000, max: 10 * MINUTE }),
          stallChance: fc.double({ min: 0, max: 0.3, noNaN: true }),
        }),
        readConditionsArbitrary,
        async (timeline, throttles, seed, settings, conditions) => {
          const clock = new VirtualClock();
          const sim = new StreamSimulator(clock, {
            recordsPageSize: settings.pageSize,
            ...simulatorConditions(conditions),
          });
          const written: string[] = [];
          let at = clock.now();
          for (const [gap, op] of timeline) {
            at += gap;
            // "wait" steps are the consumer's business here: the timeline already spaces the writes.
            if (op.kind !== "wait") {
              clock.at(at, () => {
                const uid = apply(sim, op);
                if (uid !== undefined) written.push(uid);
              });
            }
          }
          const lastAction = at;
          for (const [when, count] of throttles) clock.at(clock.now() + when, () => sim.throttle(count));
          const random = seededRandom(seed);
          const { log } = simulatedLog(sim, {
            pollIntervalMs: settings.pollIntervalMs,
            refreshIntervalMs: settings.refreshIntervalMs,
            maxConcurrentShardReads: conditions.maxConcurrentShardReads,
            random,
          });
          const delivered = await collect(log, sim, EMPTY_CURSOR, {
            stopWhen: (d) => clock.now() >= lastAction && d.length === written.length,
            deadline: lastAction + 6 * HOUR,
            onEvent: () => {
              if (random() < settings.stallChance) clock.advance(16 * MINUTE);
            },
          });
          const uids = delivered.map((d) => d.uid);
          expectExactly(uids, written);
          expectShardOrder(uids, sim);
          expect(sim.peakInFlight.GetRecords).toBeLessThanOrEqual(conditions.maxConcurrentShardReads);
          await expectEveryCursorResumes(log, sim, delivered);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a stream interrupted at random points and resumed each time from its last cursor delivers everything once", async () => {
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
          const all: string[] = [];
          let cursor = "";
          for (let i = 0; ; i++) {
            const limit = chunks[i % chunks.length] as number;
            const part = await collect(log, sim, cursor, {
              untilCaughtUp: true,
              stopWhen: (d) => d.length >= limit,
            });
            if (part.length === 0) break;
            all.push(...part.map((d) => d.uid));
            cursor = (part.at(-1) as { cursor: string }).cursor;
          }
          expectExactly(all, written);
          expect(all.length).toBe(written.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
