/** Time as the code that waits sees it: the system's in production, a virtual one in tests. */
export interface Clock {
  /** Milliseconds: since the epoch for `systemClock`, on a clock that never goes back for `monotonicClock`. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /**
   * Calls `ring` after `ms` unless cancelled first (the returned function): a wait that something else
   * usually ends, without an AbortController for each.
   */
  alarm(ms: number, ring: () => void): () => void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function alarm(ms: number, ring: () => void): () => void {
  const timer = setTimeout(ring, Math.max(0, ms));
  return () => clearTimeout(timer);
}

/** Wall-clock time: for what is compared with event times and other machines' clocks. */
export const systemClock: Clock = { now: () => Date.now(), sleep, alarm };

/** Elapsed time, unaffected by wall-clock steps: for intervals and deadlines. */
export const monotonicClock: Clock = { now: () => performance.now(), sleep, alarm };
