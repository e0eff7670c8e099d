import { isDomainError, type ErrorKind } from "../errors/errors.js";
import type { Backoff } from "../time/backoff.js";
import type { RetryPolicy } from "../time/retry.js";

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

/** Backoff between retries of a failed submission: 500 ms doubling to 30 s, each pause within its upper half. */
export const RETRY_DEFAULTS: Backoff = { initialDelay: 500, maxDelay: 30_000, multiplier: 2, jitter: 0.5 };

/** Submissions retried by isRetryable, for as long as it takes, with `backoff`. */
export function submissionRetry(backoff: Backoff): RetryPolicy {
  return { backoff, isRetryable };
}
