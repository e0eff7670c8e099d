import type { Logger } from "../../observability/logger.js";
import type { Clock } from "../../time/clock.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import type { DynamoMetrics } from "./metrics.js";
import { ThrottledError } from "./streams-errors.js";

/** A wait or call of a stream ended because its signal aborted: the stream ends quietly. */
export class Aborted extends Error {}

export interface ThrottledCallConfig {
  table: string;
  backoff: BackoffOptions;
  clock: Clock;
  random: () => number;
  logger: Logger;
  metrics: DynamoMetrics;
}

/**
 * Runs a DynamoDB Streams request, retrying a throttled one after a jittered, growing pause, until it
 * succeeds, fails otherwise, or `signal` aborts (Aborted).
 */
export async function throttledCall<T>(
  config: ThrottledCallConfig,
  signal: AbortSignal,
  operation: string,
  request: () => Promise<T>,
): Promise<T> {
  const { clock, metrics, table } = config;
  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) throw new Aborted();
    try {
      return await request();
    } catch (err) {
      if (!(err instanceof ThrottledError)) throw err;
      metrics.throttles.inc({ table, operation });
      const delay = backoffDelay(attempt, config.backoff, config.random);
      config.logger.debug({ table, operation, attempt, delay }, "throttled; backing off");
      await clock.sleep(delay, signal);
    }
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
