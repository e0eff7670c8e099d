import fc from "fast-check";
import { DEFAULT_MAX_CONCURRENT_SHARD_READS } from "../../../src/auditlog/dynamo/dynamo-audit-log.js";
import {
  AWS_STREAMS_LIMITS,
  seededRandom,
  type Latency,
  type Operation,
  type StreamSimulator,
} from "./stream-simulator.js";

/**
 * What a property's streams read under besides the history itself: a round trip per operation, AWS's
 * rates (refused as throttling) and how many shard reads a stream keeps in flight. Drawn with the
 * history, so every property runs both as before (no latency, no limits) and under these.
 */
export interface ReadConditions {
  /** Per operation; an operation left out (or drawn 0 + 0) completes at the instant it is made. */
  latency: Partial<Record<Operation, Latency>>;
  awsLimits: boolean;
  /** The log's maxConcurrentShardReads: 1, a few, or the default. */
  maxConcurrentShardReads: number;
  /** Seeds the simulator's jitter. */
  jitterSeed: number;
}

/** Fixed part and jitter of one operation's round trip, ms; zero included (where shrinking goes). */
const latencyArbitrary: fc.Arbitrary<Latency> = fc.record({
  fixedMs: fc.integer({ min: 0, max: 150 }),
  jitterMs: fc.integer({ min: 0, max: 100 }),
});

export const readConditionsArbitrary: fc.Arbitrary<ReadConditions> = fc.record({
  latency: fc.record(
    {
      DescribeTable: latencyArbitrary,
      DescribeStream: latencyArbitrary,
      GetShardIterator: latencyArbitrary,
      GetRecords: latencyArbitrary,
    },
    { requiredKeys: [] },
  ),
  // Limits in about a third of the runs (they multiply the calls: throttled, backed off, retried);
  // shrinking goes to none.
  awsLimits: fc.integer({ min: 0, max: 2 }).map((n) => n === 2),
  maxConcurrentShardReads: fc.oneof(
    fc.constant(1),
    fc.integer({ min: 2, max: 4 }),
    fc.constant(DEFAULT_MAX_CONCURRENT_SHARD_READS),
  ),
  jitterSeed: fc.nat(),
});

/** The simulator options that impose `conditions` on every call from the start. */
export function simulatorConditions(conditions: ReadConditions): {
  latency: Partial<Record<Operation, Latency>>;
  awsLimits: boolean;
  random: () => number;
} {
  return {
    latency: conditions.latency,
    awsLimits: conditions.awsLimits,
    random: seededRandom(conditions.jitterSeed),
  };
}

/** Imposes `conditions` on a simulator's calls from now on (e.g. after a reference read without them). */
export function imposeConditions(sim: StreamSimulator, conditions: ReadConditions): void {
  sim.latency = conditions.latency;
  sim.limits = conditions.awsLimits ? AWS_STREAMS_LIMITS : undefined;
}
