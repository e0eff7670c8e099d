import fc from "fast-check";
import { MINUTE, type StreamSimulator } from "./stream-simulator.js";

/** One step of a random stream history. */
export type Op =
  | { kind: "write"; shard: number }
  | { kind: "split"; shard: number; children: number }
  | { kind: "noise"; shard: number; type: "MODIFY" | "REMOVE" | "CHUNK" }
  | { kind: "wait"; ms: number };

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("write" as const), shard: fc.nat(7) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("split" as const),
      shard: fc.nat(7),
      children: fc.integer({ min: 1, max: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("noise" as const),
      shard: fc.nat(7),
      type: fc.constantFrom("MODIFY" as const, "REMOVE" as const, "CHUNK" as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("wait" as const),
      ms: fc.integer({ min: 1, max: 20 * MINUTE }),
    }),
  },
);

/** Applies one scripted step; returns the uid of an event written, if any. */
export function apply(sim: StreamSimulator, op: Op): string | undefined {
  const open = sim.openShards();
  const shard = open[("shard" in op ? op.shard : 0) % open.length] as string;
  switch (op.kind) {
    case "write":
      return sim.writeEvent(shard);
    case "split":
      if (open.length < 6) sim.split(shard, op.children);
      return undefined;
    case "noise":
      sim.writeNonEvent(op.type, shard);
      return undefined;
    case "wait":
      sim.clock.advance(op.ms);
      return undefined;
  }
}
