import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitTimes, spread } from "../../src/generate/timeline.js";
import { Prng } from "../../src/generate/prng.js";

describe("fitTimes", () => {
  it("adds the offsets to the start when they fit", () => {
    expect(fitTimes(1000, 5000, [0, 10, 2000])).toEqual([1000, 1010, 3000]);
  });

  it("scales the offsets down to end by the limit, keeping order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 30 }),
        (start, room, unsorted) => {
          const offsets = [...unsorted].sort((a, b) => a - b);
          const times = fitTimes(start, start + room, offsets);
          expect(times).toHaveLength(offsets.length);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          for (const t of times) {
            expect(Number.isInteger(t)).toBe(true);
            expect(t).toBeGreaterThanOrEqual(start);
            expect(t).toBeLessThanOrEqual(start + room);
          }
        },
      ),
    );
  });
});

describe("spread", () => {
  it("gives sorted offsets inside the interval", () => {
    const prng = new Prng(4);
    const out = spread(() => prng.float(), 50, 10, 20);
    expect(out).toHaveLength(50);
    expect(out).toEqual([...out].sort((a, b) => a - b));
    for (const x of out) expect(x >= 10 && x < 20).toBe(true);
  });
});
