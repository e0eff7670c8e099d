import { UnavailableError } from "../../errors/errors.js";
import type { Logger } from "../../observability/logger.js";
import type { Backoff } from "../../time/backoff.js";
import type { Clock } from "../../time/clock.js";
import { retry } from "../../time/retry.js";
import type { DynamoMetrics } from "./metrics.js";
import { ThrottledError } from "./streams-errors.js";

/** A wait or call of a stream ended because its signal aborted: the stream ends quietly. */
export class Aborted extends Error {}

/**
 * Pauses between throttled attempts: "full jitter" (anywhere below the ceiling) from 100 ms, doubling to
 * 10 s, so that readers throttled together do not come back together.
 */
export const DYNAMO_THROTTLE_BACKOFF: Backoff = {
  initialDelay: 100,
  maxDelay: 10_000,
  multiplier: 2,
  jitter: 1,
};

/**
 * Attempts in a row that fail for the service or the network (UnavailableError), as many as the AWS
 * SDK's own default: the SDK clients retry nothing themselves, so this is the one retry layer.
 */
export const DYNAMO_UNAVAILABLE_ATTEMPTS = 3;

export interface ThrottledCallConfig {
  table: string;
  backoff: Backoff;
  clock: Clock;
  random: () => number;
  logger: Logger;
  metrics: DynamoMetrics;
}

/**
 * Runs a DynamoDB or DynamoDB Streams request: a throttled one is retried for as long as it takes, one
 * that fails for the service or the network up to DYNAMO_UNAVAILABLE_ATTEMPTS in a row, each after a
 * jittered, growing pause; anything else, or `signal` aborting (Aborted), ends it.
 */
export async function throttledCall<T>(
  config: ThrottledCallConfig,
  signal: AbortSignal,
  operation: string,
  request: () => Promise<T>,
): Promise<T> {
  const { metrics, table } = config;
  let unavailable = 0;
  const isRetryable = (err: unknown): boolean => {
    if (err instanceof ThrottledError) {
      unavailable = 0;
      metrics.throttles.inc({ table, operation });
      return true;
    }
    return err instanceof UnavailableError && ++unavailable < DYNAMO_UNAVAILABLE_ATTEMPTS;
  };
  try {
    return await retry(request, { backoff: config.backoff, isRetryable }, signal, {
      clock: config.clock,
      random: config.random,
      onFailure: (err, attempt, delay) => {
        if (delay === undefined) return;
        const reason = err instanceof Error ? err.message : String(err);
        config.logger.debug({ table, operation, attempt, delay, reason }, "retrying after a pause");
      },
    });
  } catch (err) {
    if (signal.aborted) throw new Aborted();
    throw err;
  }
}

/** `promise`, or Aborted as soon as `signal` aborts (the promise itself goes on for others). */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
