import type { Clock } from "./clock.js";

/** What `Deadline.race` gives when the deadline passed first. */
export const DEADLINE_PASSED: unique symbol = Symbol("deadline passed");

/**
 * Waits for a promise or a moving deadline, whichever comes first, with one alarm shared by every wait:
 * the alarm is set again only when the deadline moves, so a loop that waits once per item pays one
 * promise per wait rather than a timer. Meant for one loop: one race at a time.
 */
export class Deadline {
  readonly #clock: Clock;
  /** The deadline the alarm is set for. */
  #due: number | undefined;
  #cancel: (() => void) | undefined;
  /** A deadline that passed while no race was waiting, reported by the next race that still wants it. */
  #passed: number | undefined;
  #wake: (() => void) | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** `promise`'s outcome, or DEADLINE_PASSED when `due` (on the clock; undefined: none) comes first. */
  race<T>(promise: Promise<T>, due: number | undefined): Promise<T | typeof DEADLINE_PASSED> {
    const passed = this.#passed;
    this.#passed = undefined;
    if (passed !== undefined && passed === due) return Promise.resolve(DEADLINE_PASSED);
    if (due !== this.#due) this.#arm(due);
    return new Promise<T | typeof DEADLINE_PASSED>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        if (this.#wake === onPassed) this.#wake = undefined;
        return true;
      };
      const onPassed = (): void => {
        if (settle()) resolve(DEADLINE_PASSED);
      };
      this.#wake = onPassed;
      promise.then(
        (value) => settle() && resolve(value),
        (error: unknown) => settle() && reject(error as Error),
      );
    });
  }

  /** Stops the alarm (when the loop that raced ends). */
  clear(): void {
    this.#arm(undefined);
    this.#passed = undefined;
  }

  #arm(due: number | undefined): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#due = due;
    if (due === undefined) return;
    this.#cancel = this.#clock.alarm(due - this.#clock.now(), () => {
      this.#cancel = undefined;
      this.#due = undefined;
      const wake = this.#wake;
      if (wake === undefined) this.#passed = due;
      else wake();
    });
  }
}
