import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/time/clock.js";
import { retry, type RetryPolicy } from "../../src/time/retry.js";
import { VirtualClock, settle } from "../support/virtual-clock.js";

class Transient extends Error {}

const policy = (maxAttempts?: number): RetryPolicy => ({
  backoff: { initialDelay: 100, maxDelay: 1_000, multiplier: 2, jitter: 0 },
  isRetryable: (err) => err instanceof Transient,
  maxAttempts,
});

describe("retry", () => {
  it("pauses on the clock it is given, growing the pause with each failure", async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const delays: (number | undefined)[] = [];
    const run = retry(
      () => (++calls < 4 ? Promise.reject(new Transient()) : Promise.resolve("done")),
      policy(),
      new AbortController().signal,
      { clock, onFailure: (_err, _n, delay) => delays.push(delay) },
    );
    await settle();
    expect(calls).toBe(1);
    await clock.advance(99);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect(calls).toBe(2);
    await clock.advance(200);
    expect(calls).toBe(3);
    await clock.advance(400);
    await expect(run).resolves.toBe("done");
    expect(delays).toEqual([100, 200, 400]);
  });

  it("throws the last failure once maxAttempts are spent, saying no retry follows", async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const delays: (number | undefined)[] = [];
    const failure = new Transient("still down");
    const run = retry(
      () => {
        calls++;
        return Promise.reject(failure);
      },
      policy(2),
      new AbortController().signal,
      { clock, onFailure: (_err, _n, delay) => delays.push(delay) },
    );
    run.catch(() => {});
    await clock.advance(100);
    await expect(run).rejects.toBe(failure);
    expect(calls).toBe(2);
    expect(delays).toEqual([100, undefined]);
  });

  it("throws a failure that is not retryable at once", async () => {
    const failure = new Error("refused");
    await expect(
      retry(() => Promise.reject(failure), policy(), new AbortController().signal, {
        clock: new VirtualClock(),
      }),
    ).rejects.toBe(failure);
  });

  it("ends a pause with the signal's reason when the signal aborts", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const run = retry(() => Promise.reject(new Transient()), policy(), controller.signal, { clock });
    await settle();
    controller.abort(new Error("stopping"));
    await expect(run).rejects.toThrow("stopping");
    expect(clock.pending).toBe(0);
  });
});

describe("systemClock.sleep", () => {
  it("resolves after the pause, and at once (without rejecting) when the signal aborts", async () => {
    await expect(systemClock.sleep(1, new AbortController().signal)).resolves.toBeUndefined();
    const controller = new AbortController();
    const pending = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error("why"));
    await expect(pending).resolves.toBeUndefined();
    await expect(systemClock.sleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });

  it("rings an alarm unless it is cancelled", async () => {
    let rung = 0;
    systemClock.alarm(1, () => rung++);
    const cancel = systemClock.alarm(1, () => rung++);
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rung).toBe(1);
  });
});
