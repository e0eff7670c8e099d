import { isDomainError, type ErrorKind } from "../errors/errors.js";

/**
 * When to try a submission again. Every submission is idempotent on the central side (events on
 * (tenant, id)), so re-sending after an unclear outcome is always safe.
 *
 * Retried, with jittered exponential backoff and no attempt limit (the reporter must never skip data;
 * the consecutive-failure gauge and log make a long outage visible):
 * - unavailable: UNAVAILABLE, and the gRPC adapter also maps DEADLINE_EXCEEDED, ABORTED and a CANCELLED
 *   the reporter did not ask for here: the call may or may not have happened;
 * - resource-exhausted: rate limits and overload. Batches are bounded well under the message limit, so a
 *   "too large" refusal is a misconfiguration, which the health log makes visible;
 * - internal: INTERNAL and UNKNOWN, which transient sink or transport failures surface as.
 * Not retried (the reporter stops with the error and leaves its cursor where it was): invalid-argument,
 * unauthenticated, permission-denied, not-found, failed-precondition, data-loss, and anything that is not
 * a domain error (a bug in the caller). Retrying these cannot succeed and skipping would lose data.
 */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set(["unavailable", "resource-exhausted", "internal"]);

export function isRetryable(err: unknown): boolean {
  return isDomainError(err) && RETRYABLE.has(err.kind);
}

export interface RetryOptions {
  /** Backoff before the first retry (before jitter), ms. Default 500. */
  initialDelay?: number;
  /** The most the backoff grows to (before jitter), ms. Default 30 000. */
  maxDelay?: number;
  /** Growth of the backoff per attempt. Default 2. */
  multiplier?: number;
}

export const RETRY_DEFAULTS: Required<RetryOptions> = { initialDelay: 500, maxDelay: 30_000, multiplier: 2 };

/**
 * The pause after the failure of attempt `failures` (1 for the first): exponential up to `maxDelay`, then
 * drawn uniformly from its upper half, so reporters that failed together spread out but still back off.
 */
export function backoffDelay(
  failures: number,
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelay, options.initialDelay * options.multiplier ** (failures - 1));
  return ceiling / 2 + (ceiling / 2) * random();
}

export interface RetryHooks {
  /** Called after each failed attempt, with whether another attempt follows and after what pause. */
  onFailure?: (err: unknown, failures: number, retryIn: number | undefined) => void;
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, pausing between retryable failures.
 * @throws the first non-retryable error
 * @throws the signal's reason once it aborts (an attempt in flight gets the signal too)
 */
export async function retry<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  options: Required<RetryOptions>,
  signal: AbortSignal,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let failures = 1; ; failures++) {
    signal.throwIfAborted();
    try {
      return await attempt(signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (!isRetryable(err)) {
        hooks.onFailure?.(err, failures, undefined);
        throw err;
      }
      const delay = backoffDelay(failures, options, hooks.random);
      hooks.onFailure?.(err, failures, delay);
      await sleep(delay, signal);
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
