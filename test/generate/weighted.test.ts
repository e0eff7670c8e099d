import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Prng } from "../../src/generate/prng.js";
import { WeightedPicker } from "../../src/generate/weighted.js";

describe("WeightedPicker", () => {
  it("picks in proportion to the weights", () => {
    const picker = new WeightedPicker([
      ["a", 1],
      ["b", 3],
      ["c", 6],
    ] as const);
    const prng = new Prng(11);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 50_000; i += 1) counts[picker.pick(prng)] += 1;
    expect(counts.a / 50_000).toBeCloseTo(0.1, 1);
    expect(counts.b / 50_000).toBeCloseTo(0.3, 1);
    expect(counts.c / 50_000).toBeCloseTo(0.6, 1);
  });

  it("never picks a zero weight", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 1000 }),
        (weights, seed) => {
          fc.pre(weights.some((w) => w > 0));
          const picker = new WeightedPicker(weights.map((w, i) => [i, w] as const));
          const prng = new Prng(seed);
          for (let k = 0; k < 50; k += 1) expect(weights[picker.pick(prng)]).toBeGreaterThan(0);
        },
      ),
    );
  });

  it("never picks a zero weight when rounding makes the target reach a tiny total", () => {
    const picker = new WeightedPicker([
      ["tiny", Number.MIN_VALUE],
      ["zero", 0],
    ] as const);
    const prng = new Prng(737650274);
    for (let k = 0; k < 200; k += 1) expect(picker.pick(prng)).toBe("tiny");
  });

  it("refuses to pick from nothing and refuses bad weights", () => {
    expect(() => new WeightedPicker<string>([]).pick(new Prng(1))).toThrow(RangeError);
    expect(() => new WeightedPicker([["a", 0]]).pick(new Prng(1))).toThrow(RangeError);
    expect(() => new WeightedPicker([["a", -1]])).toThrow(RangeError);
    expect(() => new WeightedPicker([["a", Number.NaN]])).toThrow(RangeError);
  });
});
