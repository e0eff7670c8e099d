import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF, resolveBackoff } from "../../src/client/backoff.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";

describe("backoff", () => {
  it("defaults to 100 ms doubling up to 5 s, retrying forever", () => {
    expect(resolveBackoff()).toEqual({
      initialMs: 100,
      maxMs: 5_000,
      multiplier: 2,
      jitter: 0.5,
      maxAttempts: Infinity,
      giveUpAfterMs: Infinity,
    });
    expect(resolveBackoff({ initialMs: undefined, maxMs: 300 })).toEqual({ ...DEFAULT_BACKOFF, maxMs: 300 });
  });

  it("grows exponentially without jitter and caps at maxMs", () => {
    const backoff = resolveBackoff({ jitter: 0 });
    expect([0, 1, 2, 3, 5, 6, 50, 5000].map((attempt) => backoffDelay(attempt, backoff))).toEqual([
      100, 200, 400, 800, 3200, 5000, 5000, 5000,
    ]);
  });

  it("stays within [(1 - jitter) × base, base] where base is the capped exponential", () => {
    const options = fc.record({
      initialMs: fc.integer({ min: 1, max: 10_000 }),
      extraMs: fc.integer({ min: 0, max: 100_000 }),
      multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(
        options,
        fc.nat({ max: 2_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        ({ initialMs, extraMs, multiplier, jitter }, attempt, random) => {
          const backoff = resolveBackoff({ initialMs, maxMs: initialMs + extraMs, multiplier, jitter });
          const base = Math.min(backoff.maxMs, initialMs * Math.pow(multiplier, attempt));
          const delay = backoffDelay(attempt, backoff, () => random);
          expect(delay).toBeLessThanOrEqual(base);
          expect(delay).toBeGreaterThanOrEqual(base * (1 - jitter) - 1e-9);
          expect(Number.isFinite(delay)).toBe(true);
        },
      ),
    );
  });

  it("never shrinks from one attempt to the next before jitter", () => {
    const backoff = resolveBackoff({ jitter: 0, multiplier: 1.7, maxMs: 60_000 });
    fc.assert(
      fc.property(fc.nat({ max: 1_000 }), (attempt) => {
        expect(backoffDelay(attempt + 1, backoff)).toBeGreaterThanOrEqual(backoffDelay(attempt, backoff));
      }),
    );
  });

  it.each([
    [{ initialMs: 0 }, "initialMs"],
    [{ initialMs: 500, maxMs: 100 }, "maxMs"],
    [{ multiplier: 0.5 }, "multiplier"],
    [{ jitter: 1.5 }, "jitter"],
    [{ maxAttempts: 0 }, "maxAttempts"],
    [{ giveUpAfterMs: -1 }, "giveUpAfterMs"],
  ])("refuses %o", (options, message) => {
    expect(() => resolveBackoff(options)).toThrow(InvalidArgumentError);
    expect(() => resolveBackoff(options)).toThrow(message);
  });
});
