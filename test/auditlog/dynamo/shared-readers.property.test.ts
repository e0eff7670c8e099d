import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY_CURSOR, type Cursor } from "../../../src/cursor/cursor.js";
import { ResourceExhaustedError } from "../../../src/errors/errors.js";
import { collect, expectExactly, expectShardOrder, simulatedLog, type Delivered } from "./harness.js";
import { apply, opArbitrary } from "./random-history.js";
import {
  imposeConditions,
  readConditionsArbitrary,
  simulatorConditions,
  type ReadConditions,
} from "./read-conditions.js";
import { HOUR, MINUTE, StreamSimulator, VirtualClock, seededRandom } from "./stream-simulator.js";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** How one of several concurrent streams behaves. */
const subscriberArbitrary = fc.record({
  /** Index into the reference delivery of the cursor it resumes from (modulo; the last value: empty). */
  start: fc.nat(),
  /** Gives other streams a turn every `pace` events. */
  pace: fc.integer({ min: 1, max: 5 }),
  /** Stalls 16 minutes (iterators expire) after its first event. */
  stall: fc.boolean(),
});

/**
 * A finished random history, and what one stream reads of it from an empty cursor; the calls after that
 * reference read are made under `conditions`.
 */
async function finishedHistory(
  ops: Parameters<typeof apply>[1][],
  roots: number,
  pageSize: number,
  conditions: ReadConditions,
) {
  const sim = new StreamSimulator(new VirtualClock(), {
    shards: roots,
    recordsPageSize: pageSize,
    random: simulatorConditions(conditions).random,
  });
  for (const op of ops) apply(sim, op);
  const { log } = simulatedLog(sim);
  const all = await collect(log, sim, EMPTY_CURSOR, { untilCaughtUp: true });
  imposeConditions(sim, conditions);
  return { sim, all };
}

function startOf(all: readonly Delivered[], start: number): { index: number; cursor: Cursor | string } {
  const index = (start % (all.length + 1)) - 1;
  return { index, cursor: index < 0 ? EMPTY_CURSOR : (all[index] as Delivered).cursor };
}

describe("shared shard readers: properties over random histories with several concurrent streams, round trips, AWS limits and concurrent reads", () => {
  it("streams resuming concurrently from any cursors each get exactly their remainder, in shard order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArbitrary, { maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(subscriberArbitrary, { minLength: 2, maxLength: 5 }),
        readConditionsArbitrary,
        async (ops, roots, pageSize, windowPages, subscribers, conditions) => {
          const { sim, all } = await finishedHistory(ops, roots, pageSize, conditions);
          const { log } = simulatedLog(sim, {
            sharedWindowPages: windowPages,
            maxReadersPerShard: 100,
            maxConcurrentShardReads: conditions.maxConcurrentShardReads,
          });
          const starts = subscribers.map((s) => startOf(all, s.start));
          const results = await Promise.all(
            subscribers.map((s, n) =>
              collect(log, sim, (starts[n] as { cursor: Cursor | string }).cursor, {
                untilCaughtUp: true,
                onEvent: async (d) => {
                  if (s.stall && d.length === 1) sim.clock.advance(16 * MINUTE);
                  if (d.length % s.pace === 0) await nextTurn();
                },
              }),
            ),
          );
          results.forEach((delivered, n) => {
            const uids = delivered.map((d) => d.uid);
            expectExactly(
              uids,
              all.slice((starts[n] as { index: number }).index + 1).map((d) => d.uid),
            );
            expectShardOrder(uids, sim);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it("with two readers a shard, streams refused with RESOURCE_EXHAUSTED and resumed from their last cursor still get exactly their remainder", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArbitrary, { maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(subscriberArbitrary, { minLength: 2, maxLength: 5 }),
        readConditionsArbitrary,
        async (ops, roots, pageSize, subscribers, conditions) => {
          const { sim, all } = await finishedHistory(ops, roots, pageSize, conditions);
          const { log } = simulatedLog(sim, {
            sharedWindowPages: 1,
            maxReadersPerShard: 2,
            maxConcurrentShardReads: conditions.maxConcurrentShardReads,
          });
          const starts = subscribers.map((s) => startOf(all, s.start));
          const results = await Promise.all(
            subscribers.map(async (s, n) => {
              const delivered: Delivered[] = [];
              let cursor = (starts[n] as { cursor: Cursor | string }).cursor;
              for (;;) {
                try {
                  await collect(log, sim, cursor, {
                    untilCaughtUp: true,
                    onEvent: async (d) => {
                      delivered.push(d.at(-1) as Delivered);
                      if (d.length % s.pace === 0) await nextTurn();
                    },
                  });
                  return delivered;
                } catch (err) {
                  if (!(err instanceof ResourceExhaustedError)) throw err;
                  cursor = delivered.at(-1)?.cursor ?? cursor;
                  await nextTurn();
                }
              }
            }),
          );
          results.forEach((delivered, n) => {
            const uids = delivered.map((d) => d.uid);
            expectExactly(
              uids,
              all.slice((starts[n] as { index: number }).index + 1).map((d) => d.uid),
            );
            expectShardOrder(uids, sim);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it("streams following a live table together (splits, throttling, stalls, late joiners) each lose and repeat nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * MINUTE }), opArbitrary), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 1, max: 4 })), {
          maxLength: 3,
        }),
        fc.array(
          fc.record({
            /** When it joins, as a fraction of the timeline. */
            joinAt: fc.double({ min: 0, max: 1, noNaN: true }),
            stallChance: fc.double({ min: 0, max: 0.2, noNaN: true }),
            pace: fc.integer({ min: 1, max: 4 }),
          }),
          { minLength: 2, maxLength: 4 },
        ),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.record({
          pageSize: fc.integer({ min: 1, max: 4 }),
          windowPages: fc.integer({ min: 1, max: 3 }),
          pollIntervalMs: fc.integer({ min: 1000, max: 5000 }),
          refreshIntervalMs: fc.integer({ min: 10_000, max: 10 * MINUTE }),
        }),
        readConditionsArbitrary,
        async (timeline, throttles, followers, seed, settings, conditions) => {
          const clock = new VirtualClock();
          const sim = new StreamSimulator(clock, {
            recordsPageSize: settings.pageSize,
            ...simulatorConditions(conditions),
          });
          const written: string[] = [];
          const start = clock.now();
          let at = start;
          for (const [gap, op] of timeline) {
            at += gap;
            if (op.kind !== "wait") {
              clock.at(at, () => {
                const uid = apply(sim, op);
                if (uid !== undefined) written.push(uid);
              });
            }
          }
          const lastAction = at;
          for (const [when, count] of throttles) clock.at(start + when, () => sim.throttle(count));
          const random = seededRandom(seed);
          const { log } = simulatedLog(sim, {
            pollIntervalMs: settings.pollIntervalMs,
            refreshIntervalMs: settings.refreshIntervalMs,
            sharedWindowPages: settings.windowPages,
            maxReadersPerShard: 100,
            maxConcurrentShardReads: conditions.maxConcurrentShardReads,
            random,
          });
          const follow = (joinedAt: number, follower: (typeof followers)[number]) =>
            collect(log, sim, EMPTY_CURSOR, {
              stopWhen: (d) => clock.now() >= lastAction && d.length === written.length,
              deadline: joinedAt + lastAction - start + 6 * HOUR,
              onEvent: async (d) => {
                if (random() < follower.stallChance) clock.advance(16 * MINUTE);
                if (d.length % follower.pace === 0) await nextTurn();
              },
            });
          // The first stream starts at once; the others join while it runs (it runs past the last write).
          const [first, ...later] = followers as [(typeof followers)[number], ...typeof followers];
          const streams: Promise<Delivered[]>[] = [follow(start, first)];
          for (const follower of later) {
            const joinAt = start + Math.floor(follower.joinAt * (lastAction - start));
            clock.at(joinAt, () => streams.push(follow(joinAt, follower)));
          }
          await streams[0];
          expect(streams).toHaveLength(followers.length);
          for (const delivered of await Promise.all(streams)) {
            const uids = delivered.map((d) => d.uid);
            expectExactly(uids, written);
            expectShardOrder(uids, sim);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
