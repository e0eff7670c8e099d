import type { Backoff, BackoffOptions } from "../../time/backoff.js";

/** Retries of a WriteRecords request: the product's backoff shape and an attempt limit. */
export interface RetryOptions extends BackoffOptions {
  /** Attempts per WriteRecords request, the first included; default 8. */
  maxAttempts?: number;
}

/** Full jitter from 50 ms doubling to 5 s, 8 attempts: Timestream throttles per table, briefly. */
export const DEFAULT_RETRY: Backoff & { maxAttempts: number } = {
  initialDelay: 50,
  maxDelay: 5_000,
  multiplier: 2,
  jitter: 1,
  maxAttempts: 8,
};

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
