import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/tenants/token-bucket.js";

describe("TokenBucket", () => {
  it("starts full, empties, and refills at its rate up to its capacity", () => {
    const bucket = new TokenBucket(10, 100, 0);
    expect(bucket.take(100, 0)).toEqual({ taken: true });
    expect(bucket.take(1, 0)).toEqual({ taken: false, retryAfterMs: 100 });
    expect(bucket.take(5, 500)).toEqual({ taken: true });
    expect(bucket.available(500)).toBe(0);
    expect(bucket.available(1_000_000)).toBe(100);
  });

  it("takes nothing when it refuses", () => {
    const bucket = new TokenBucket(10, 100, 0);
    expect(bucket.take(60, 0).taken).toBe(true);
    expect(bucket.take(50, 0)).toEqual({ taken: false, retryAfterMs: 1000 });
    expect(bucket.available(0)).toBe(40);
  });

  it("never admits more than its capacity at once", () => {
    expect(new TokenBucket(10, 100, 0).take(101, 0)).toEqual({ taken: false, retryAfterMs: Infinity });
  });

  it("refunds up to its capacity", () => {
    const bucket = new TokenBucket(10, 100, 0);
    bucket.take(30, 0);
    bucket.refund(30, 0);
    bucket.refund(30, 0);
    expect(bucket.available(0)).toBe(100);
  });

  it("refills nothing when the clock steps back", () => {
    const bucket = new TokenBucket(10, 100, 1_000);
    bucket.take(100, 1_000);
    expect(bucket.available(0)).toBe(0);
    expect(bucket.available(1_000)).toBe(0);
    expect(bucket.available(2_000)).toBe(10);
  });

  it("admits at most capacity + rate × elapsed over any sequence of requests", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 1200 })), {
          maxLength: 60,
        }),
        (rate, capacity, requests) => {
          const bucket = new TokenBucket(rate, capacity, 0);
          let now = 0;
          let admitted = 0;
          for (const [step, count] of requests) {
            now += step;
            const outcome = bucket.take(count, now);
            if (outcome.taken) admitted += count;
          }
          expect(admitted).toBeLessThanOrEqual(capacity + (rate * now) / 1000 + 1e-6);
        },
      ),
    );
  });

  it("advertises the shortest whole-millisecond wait after which the request would pass", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        (rate, capacity, first, second) => {
          fc.pre(first <= capacity && second <= capacity);
          const history = () => {
            const bucket = new TokenBucket(rate, capacity, 0);
            bucket.take(first, 0);
            return bucket;
          };
          const outcome = history().take(second, 0);
          fc.pre(!outcome.taken);
          if (outcome.taken) return;
          expect(history().available(outcome.retryAfterMs)).toBeGreaterThanOrEqual(second - 1e-9);
          expect(history().available(outcome.retryAfterMs - 1)).toBeLessThan(second);
        },
      ),
    );
  });
});
