import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { backoffDelay, resolveBackoff, type Backoff } from "../../src/time/backoff.js";

const DEFAULTS: Backoff = { initialDelay: 100, maxDelay: 5_000, multiplier: 2, jitter: 0.5 };

describe("backoff", () => {
  it("takes the defaults for what is left out or undefined", () => {
    expect(resolveBackoff(undefined, DEFAULTS)).toEqual(DEFAULTS);
    expect(resolveBackoff({ initialDelay: undefined, maxDelay: 300 }, DEFAULTS)).toEqual({
      ...DEFAULTS,
      maxDelay: 300,
    });
  });

  it("grows exponentially from the first failure without jitter and caps at maxDelay", () => {
    const backoff = resolveBackoff({ jitter: 0 }, DEFAULTS);
    expect([1, 2, 3, 4, 6, 7, 51, 5001].map((failures) => backoffDelay(failures, backoff))).toEqual([
      100, 200, 400, 800, 3200, 5000, 5000, 5000,
    ]);
  });

  it("stays within [(1 - jitter) × ceiling, ceiling] where ceiling is the capped exponential", () => {
    const options = fc.record({
      initialDelay: fc.integer({ min: 1, max: 10_000 }),
      extra: fc.integer({ min: 0, max: 100_000 }),
      multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(
        options,
        fc.integer({ min: 1, max: 2_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        ({ initialDelay, extra, multiplier, jitter }, failures, random) => {
          const backoff = resolveBackoff(
            { initialDelay, maxDelay: initialDelay + extra, multiplier, jitter },
            DEFAULTS,
          );
          const ceiling = Math.min(backoff.maxDelay, initialDelay * Math.pow(multiplier, failures - 1));
          const delay = backoffDelay(failures, backoff, () => random);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(delay).toBeGreaterThanOrEqual(ceiling * (1 - jitter) - 1e-9);
          expect(Number.isFinite(delay)).toBe(true);
        },
      ),
    );
  });

  it("never shrinks from one failure to the next before jitter", () => {
    const backoff = resolveBackoff({ jitter: 0, multiplier: 1.7, maxDelay: 60_000 }, DEFAULTS);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), (failures) => {
        expect(backoffDelay(failures + 1, backoff)).toBeGreaterThanOrEqual(backoffDelay(failures, backoff));
      }),
    );
  });

  it.each([
    [{ initialDelay: 0 }, "initialDelay"],
    [{ initialDelay: 500, maxDelay: 100 }, "maxDelay"],
    [{ multiplier: 0.5 }, "multiplier"],
    [{ jitter: 1.5 }, "jitter"],
    [{ maxDelay: Infinity }, "maxDelay"],
  ])("refuses %o, naming the setting and what it belongs to", (options, message) => {
    expect(() => resolveBackoff(options, DEFAULTS, "reconnect backoff")).toThrow(InvalidArgumentError);
    expect(() => resolveBackoff(options, DEFAULTS, "reconnect backoff")).toThrow(
      `reconnect backoff: ${message}`,
    );
  });
});
