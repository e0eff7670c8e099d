import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/auditlog/dynamo/backoff.js";

const options = { baseMs: 100, maxMs: 10_000 };

describe("backoffDelay (full jitter)", () => {
  it.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [3, 0.999, 799],
    [10, 0.5, 5000],
    [200, 0.5, 5000],
    [4, 0, 0],
  ])("attempt %i with random %d waits %i ms", (attempt, random, expected) => {
    expect(backoffDelay(attempt, options, () => random)).toBe(expected);
  });

  it("stays within [0, min(max, base * 2^attempt))", () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const delay = backoffDelay(attempt, options, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(Math.min(options.maxMs, options.baseMs * 2 ** attempt));
        },
      ),
    );
  });
});
