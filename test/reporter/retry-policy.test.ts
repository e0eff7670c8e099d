import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DataLossError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from "../../src/errors/errors.js";
import { backoffDelay } from "../../src/time/backoff.js";
import { retry } from "../../src/time/retry.js";
import { RETRY_DEFAULTS, isRetryable, submissionRetry } from "../../src/reporter/retry-policy.js";

const fast = submissionRetry({ initialDelay: 1, maxDelay: 4, multiplier: 2, jitter: 0.5 });

describe("isRetryable", () => {
  it.each([
    [new UnavailableError("down"), true],
    [new ResourceExhaustedError("slow down"), true],
    [new InternalError("sink hiccup"), true],
    [new InvalidArgumentError("bad"), false],
    [new UnauthenticatedError("who"), false],
    [new PermissionDeniedError("no"), false],
    [new NotFoundError("gone"), false],
    [new FailedPreconditionError("not now"), false],
    [new DataLossError("lost"), false],
    [new TypeError("bug"), false],
    ["a string", false],
  ])("%s → %s", (err, expected) => {
    expect(isRetryable(err)).toBe(expected);
  });
});

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap, jittered within the upper half", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, RETRY_DEFAULTS, () => 0))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect([1, 2, 3].map((n) => backoffDelay(n, RETRY_DEFAULTS, () => 1))).toEqual([250, 500, 1000]);
    expect(backoffDelay(50, RETRY_DEFAULTS, () => 0)).toBe(30_000);
    expect(backoffDelay(5000, RETRY_DEFAULTS, () => 0.5)).toBe(22_500);
  });

  it("stays within [ceiling/2, ceiling] and never exceeds maxDelay", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoffDelay(n, RETRY_DEFAULTS, () => r);
        const ceiling = Math.min(30_000, 500 * 2 ** (n - 1));
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }),
    );
  });
});

describe("retry", () => {
  it("retries retryable failures until success, reporting each", async () => {
    const seen: [string, number, number | undefined][] = [];
    let calls = 0;
    const result = await retry(
      () => {
        calls++;
        return calls < 3 ? Promise.reject(new UnavailableError(`down ${calls}`)) : Promise.resolve("ok");
      },
      fast,
      new AbortController().signal,
      { onFailure: (err, n, delay) => seen.push([(err as Error).message, n, delay]), random: () => 0 },
    );
    expect(result).toBe("ok");
    expect(seen).toEqual([
      ["down 1", 1, 1],
      ["down 2", 2, 2],
    ]);
  });

  it("stops at the first non-retryable failure", async () => {
    let calls = 0;
    const failures: (number | undefined)[] = [];
    const run = retry(
      () => {
        calls++;
        return Promise.reject(calls === 1 ? new UnavailableError("down") : new PermissionDeniedError("no"));
      },
      fast,
      new AbortController().signal,
      { onFailure: (_e, _n, delay) => failures.push(delay) },
    );
    await expect(run).rejects.toThrow(PermissionDeniedError);
    expect(calls).toBe(2);
    expect(failures).toEqual([expect.any(Number), undefined]);
  });

  it("gives up with the signal's reason when aborted during the pause", async () => {
    const controller = new AbortController();
    const run = retry(
      () => {
        setImmediate(() => controller.abort(new Error("stopping")));
        return Promise.reject(new UnavailableError("down"));
      },
      submissionRetry({ initialDelay: 60_000, maxDelay: 60_000, multiplier: 1, jitter: 0 }),
      controller.signal,
    );
    await expect(run).rejects.toThrow("stopping");
  });

  it("does not start when already aborted", async () => {
    let calls = 0;
    const run = retry(
      () => {
        calls++;
        return Promise.resolve(1);
      },
      fast,
      AbortSignal.abort(new Error("already")),
    );
    await expect(run).rejects.toThrow("already");
    expect(calls).toBe(0);
  });
});
