import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Anonymizer } from "../../../src/reporter/anonymizer/anonymizer.js";
import { HmacAnonymizer } from "../../../src/reporter/anonymizer/hmac-anonymizer.js";
import { MemoAnonymizer } from "../../../src/reporter/anonymizer/memo-anonymizer.js";

/** An anonymizer that counts its calls. */
function counting(): Anonymizer & { calls: string[] } {
  const calls: string[] = [];
  return { calls, anonymize: (value) => (calls.push(value), `t(${value})`) };
}

describe("MemoAnonymizer", () => {
  it("gives the inner anonymizer's token for every input, whatever the order and capacity", () => {
    const hmac = new HmacAnonymizer(new TextEncoder().encode("tenant-key-0001"));
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 4 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        (inputs, capacity) => {
          const memo = new MemoAnonymizer(hmac, capacity);
          for (const input of inputs) expect(memo.anonymize(input)).toBe(hmac.anonymize(input));
          expect(memo.size).toBeLessThanOrEqual(capacity);
        },
      ),
    );
  });

  it("asks the inner anonymizer once per input it still remembers", () => {
    const inner = counting();
    const memo = new MemoAnonymizer(inner, 2);
    expect(["alice", "bob", "alice", "bob", "alice"].map((v) => memo.anonymize(v))).toEqual([
      "t(alice)",
      "t(bob)",
      "t(alice)",
      "t(bob)",
      "t(alice)",
    ]);
    expect(inner.calls).toEqual(["alice", "bob"]);
  });

  it("forgets the input remembered longest once full", () => {
    const inner = counting();
    const memo = new MemoAnonymizer(inner, 2);
    for (const v of ["alice", "bob", "carol", "bob", "alice"]) memo.anonymize(v);
    expect(inner.calls).toEqual(["alice", "bob", "carol", "alice"]);
    expect(memo.size).toBe(2);
  });
});
