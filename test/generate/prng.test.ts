import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Prng } from "../../src/generate/prng.js";

const draws = (prng: Prng, n: number): number[] => Array.from({ length: n }, () => prng.uint32());

describe("Prng", () => {
  it("repeats its sequence for the same seed and stream", () => {
    expect(draws(new Prng(7), 100)).toEqual(draws(new Prng(7), 100));
    expect(draws(new Prng(7, 3), 100)).toEqual(draws(new Prng(7, 3), 100));
  });

  it("pins its outputs, so a seed gives the same data on every version", () => {
    expect(draws(new Prng(1), 4)).toEqual([2049801877, 2839965546, 823784599, 1687487412]);
    expect(new Prng(1).uuid()).toBe("7a2d7e95-a946-4f6a-b119-f497649503b4");
  });

  it("differs between seeds and between streams", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 2 }),
        (a, b) => {
          const other = b >= a ? b + 1 : b;
          expect(draws(new Prng(a), 4)).not.toEqual(draws(new Prng(other), 4));
          expect(draws(new Prng(a, 1), 4)).not.toEqual(draws(new Prng(a, 2), 4));
        },
      ),
    );
  });

  it("keeps every draw in range", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (seed, n) => {
          const prng = new Prng(seed);
          for (let i = 0; i < 50; i += 1) {
            const f = prng.float();
            expect(f).toBeGreaterThanOrEqual(0);
            expect(f).toBeLessThan(1);
            const k = prng.int(n);
            expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
            const b = prng.between(-3, n);
            expect(Number.isInteger(b) && b >= -3 && b <= n).toBe(true);
            const l = prng.logUniform(2, 2 + n);
            expect(l).toBeGreaterThanOrEqual(2);
            expect(l).toBeLessThanOrEqual(2 + n);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("spreads integers evenly", () => {
    const prng = new Prng(123);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i += 1) {
      const k = prng.int(10);
      counts[k] = (counts[k] as number) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it("makes version 4 UUIDs", () => {
    const prng = new Prng(5);
    const uuids = Array.from({ length: 1000 }, () => prng.uuid());
    for (const uuid of uuids) {
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(uuids).size).toBe(1000);
  });

  it("makes hex strings and bytes of the asked length", () => {
    const prng = new Prng(9);
    for (const n of [0, 1, 5, 9, 32]) {
      expect(prng.hex(n)).toMatch(new RegExp(`^[0-9a-f]{${n}}$`));
      expect(prng.bytes(n)).toHaveLength(n);
    }
  });

  it("picks only from the list, and refuses an empty one", () => {
    const prng = new Prng(2);
    const items = ["a", "b", "c"] as const;
    const picked = new Set(Array.from({ length: 200 }, () => prng.pick(items)));
    expect(picked).toEqual(new Set(items));
    expect(() => prng.pick([])).toThrow(RangeError);
  });

  it("tells chance by its probability", () => {
    const prng = new Prng(3);
    expect(Array.from({ length: 100 }, () => prng.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => prng.chance(1)).every(Boolean)).toBe(true);
    const hits = Array.from({ length: 20_000 }, () => prng.chance(0.25)).filter(Boolean).length;
    expect(Math.abs(hits - 5_000)).toBeLessThan(400);
  });
});
