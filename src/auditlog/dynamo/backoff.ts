export interface BackoffOptions {
  /** First ceiling, doubled on each consecutive attempt. */
  baseMs: number;
  /** Largest ceiling. */
  maxMs: number;
}

/**
 * "Full jitter" backoff: a uniformly random delay below min(max, base * 2^attempt), so that many readers
 * throttled together do not retry together. `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
