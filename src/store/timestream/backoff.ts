import { UnavailableError } from "../../errors/errors.js";

export interface RetryOptions {
  /** Attempts per WriteRecords request, the first included; default 8. */
  maxAttempts?: number;
  /** First backoff ceiling in ms, doubled per attempt; default 50. */
  baseDelayMs?: number;
  /** Largest backoff ceiling in ms; default 5000. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 5000 };

/**
 * "Full jitter" backoff: a uniformly random delay below min(maxDelay, base · 2^(attempt-1)), so clients
 * throttled together spread out instead of retrying in lockstep. `attempt` counts failures so far (1…).
 */
export function backoffDelay(attempt: number, options: Required<RetryOptions>, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

const RETRYABLE_NAMES: ReadonlySet<string> = new Set([
  "ThrottlingException",
  "InternalServerException",
  "ServiceUnavailableException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/** Throttling, server errors (5xx) and connection failures are worth retrying; client errors are not. */
export function isRetryable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (typeof e.name === "string" && RETRYABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === "string" && RETRYABLE_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === "number" && status >= 500;
}

/** Resolves after `ms`, or rejects with UnavailableError as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new UnavailableError("write abandoned"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new UnavailableError("write abandoned"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
