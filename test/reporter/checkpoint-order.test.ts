import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CheckpointOrder } from "../../src/reporter/checkpoint-order.js";

describe("CheckpointOrder", () => {
  it.each([
    { name: "in order", acks: [0, 1, 2], safe: ["c0", "c1", "c2"] },
    { name: "newest first", acks: [2, 1, 0], safe: [undefined, undefined, "c2"] },
    { name: "middle first", acks: [1, 0, 2], safe: [undefined, "c1", "c2"] },
    { name: "oldest last but one", acks: [1, 2, 0], safe: [undefined, undefined, "c2"] },
  ])("acknowledged $name: each acknowledgement makes safe $safe", ({ acks, safe }) => {
    const order = new CheckpointOrder();
    const seqs = ["c0", "c1", "c2"].map((cursor) => order.open(cursor));
    expect(acks.map((i) => order.acknowledge(seqs[i] as number))).toEqual(safe);
    expect(order.size).toBe(0);
  });

  it("counts a batch acknowledged behind an unacknowledged one as still in the window", () => {
    const order = new CheckpointOrder();
    const first = order.open("c1");
    const second = order.open("c2");
    expect(order.acknowledge(second)).toBeUndefined();
    expect(order.size).toBe(2);
    expect(order.acknowledge(first)).toBe("c2");
    expect(order.size).toBe(0);
  });

  it("refuses an acknowledgement for a batch not waiting for one", () => {
    const order = new CheckpointOrder();
    const seq = order.open("c1");
    order.acknowledge(seq);
    expect(() => order.acknowledge(seq)).toThrow(RangeError);
    expect(() => order.acknowledge(seq + 1)).toThrow(RangeError);
  });

  it("makes safe only cursors whose batches and predecessors are all acknowledged, ending at the last", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 20 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n })),
          ),
        ([n, acks]) => {
          const order = new CheckpointOrder();
          const seqs = Array.from({ length: n }, (_, i) => order.open(`c${i}`));
          const acknowledged = new Set<number>();
          let last = -1;
          for (const i of acks) {
            acknowledged.add(i);
            const safe = order.acknowledge(seqs[i] as number);
            if (safe === undefined) continue;
            const upTo = Number(safe.slice(1));
            expect(upTo).toBeGreaterThan(last);
            for (let j = 0; j <= upTo; j++) expect(acknowledged.has(j)).toBe(true);
            // The newest safe one: the next batch is not acknowledged yet.
            if (upTo + 1 < n) expect(acknowledged.has(upTo + 1)).toBe(false);
            last = upTo;
          }
          expect(last).toBe(n - 1);
          expect(order.size).toBe(0);
        },
      ),
    );
  });
});
