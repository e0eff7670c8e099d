import { backoffDelay, type Backoff } from "./backoff.js";
import { monotonicClock, type Clock } from "./clock.js";

/** When and how often to try again. */
export interface RetryPolicy {
  backoff: Backoff;
  /** Whether a failure may go away by itself (the others are thrown at once). */
  isRetryable: (err: unknown) => boolean;
  /** Attempts in all, the first included. Default Infinity: retry for as long as it takes. */
  maxAttempts?: number;
}

export interface RetryHooks {
  /** Called after each failed attempt, with the pause before the next one, or undefined if none follows. */
  onFailure?: (err: unknown, failures: number, retryIn: number | undefined) => void;
  random?: () => number;
  /** Default monotonicClock. */
  clock?: Clock;
}

/**
 * Runs `attempt` until it succeeds, pausing between retryable failures.
 * @throws the first failure that is not retryable, or the last one once `maxAttempts` are spent
 * @throws the signal's reason once it aborts (an attempt in flight gets the signal too)
 */
export async function retry<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  hooks: RetryHooks = {},
): Promise<T> {
  const maxAttempts = policy.maxAttempts ?? Infinity;
  const clock = hooks.clock ?? monotonicClock;
  for (let failures = 1; ; failures++) {
    signal.throwIfAborted();
    try {
      return await attempt(signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (!policy.isRetryable(err) || failures >= maxAttempts) {
        hooks.onFailure?.(err, failures, undefined);
        throw err;
      }
      const delay = backoffDelay(failures, policy.backoff, hooks.random);
      hooks.onFailure?.(err, failures, delay);
      await clock.sleep(delay, signal);
    }
  }
}
