import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, isRetryable } from "../../../src/store/timestream/timestream-retry.js";
import { backoffDelay } from "../../../src/time/backoff.js";
import { forEachBounded } from "../../../src/store/timestream/bounded.js";

describe("DEFAULT_RETRY", () => {
  it("spreads each pause over its whole range (full jitter) below a doubling ceiling from 50 ms", () => {
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0)).toBe(200);
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0.75)).toBe(50);
    expect(backoffDelay(40, DEFAULT_RETRY, () => 0)).toBe(5_000);
    expect(DEFAULT_RETRY.maxAttempts).toBe(8);
  });
});

describe("isRetryable", () => {
  it.each([
    [{ name: "ThrottlingException" }, true],
    [{ name: "InternalServerException" }, true],
    [{ name: "Whatever", $metadata: { httpStatusCode: 503 } }, true],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), true],
    [{ name: "ValidationException", $metadata: { httpStatusCode: 400 } }, false],
    [{ name: "RejectedRecordsException", $metadata: { httpStatusCode: 419 } }, false],
    [{ name: "ResourceNotFoundException" }, false],
    ["text", false],
    [null, false],
  ])("%j → %s", (err, expected) => {
    expect(isRetryable(err)).toBe(expected);
  });
});

describe("forEachBounded", () => {
  it("runs every item with at most `limit` at once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 3 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        async (items, limit) => {
          let running = 0;
          let peak = 0;
          const done: number[] = [];
          await forEachBounded(items, limit, async (item) => {
            running++;
            peak = Math.max(peak, running);
            for (let i = 0; i < item; i++) await Promise.resolve();
            done.push(item);
            running--;
          });
          expect(peak).toBeLessThanOrEqual(limit);
          expect(done.sort()).toEqual([...items].sort());
        },
      ),
    );
  });

  it("stops starting tasks after a failure, aborts the running ones and rethrows the first failure", async () => {
    const started: number[] = [];
    const aborted: number[] = [];
    const failure = new Error("boom");
    const run = forEachBounded([0, 1, 2, 3, 4, 5], 2, async (item, signal) => {
      started.push(item);
      if (item === 0) {
        await Promise.resolve();
        throw failure;
      }
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      aborted.push(item);
      throw new Error("abandoned");
    });
    await expect(run).rejects.toBe(failure);
    expect(started).toEqual([0, 1]);
    expect(aborted).toEqual([1]);
  });
});
