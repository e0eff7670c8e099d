import type { Clock } from "../../src/time/clock.js";

/**
 * A clock that moves only when the test says: `advance` rings every alarm (and ends every sleep) due on
 * the way, in time order, letting the code they wake run before time moves on. An alarm set for now or
 * the past rings at the next `advance` (`advance(0)` rings it).
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #alarms = new Map<number, { at: number; ring: () => void }>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  alarm(ms: number, ring: () => void): () => void {
    const id = this.#seq++;
    this.#alarms.set(id, { at: this.#now + Math.max(0, ms), ring });
    return () => this.#alarms.delete(id);
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        cancel();
        signal.removeEventListener("abort", done);
        resolve();
      };
      const cancel = this.alarm(ms, done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Alarms set and not yet rung or cancelled. */
  get pending(): number {
    return this.#alarms.size;
  }

  /** Moves time forward by `ms`. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      let next: [number, { at: number; ring: () => void }] | undefined;
      for (const entry of this.#alarms) {
        if (entry[1].at <= target && (next === undefined || entry[1].at < next[1].at)) next = entry;
      }
      if (next === undefined) break;
      this.#alarms.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].ring();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

/** Lets every promise that can settle do so (a macrotask turn runs all pending microtasks first). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
