/**
 * A token bucket: `capacity` tokens at most, refilled at `ratePerSecond`. Pure: the caller passes the
 * time, so tests drive it with a fake clock.
 */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  /** Starts full at `nowMs`. */
  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    nowMs: number,
  ) {
    this.#tokens = capacity;
    this.#updatedAt = nowMs;
  }

  /** Tokens available at `nowMs`. */
  available(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens;
  }

  /**
   * Takes `count` tokens if that many are available; otherwise takes none and returns how long until
   * they would be (Infinity when `count` exceeds the capacity).
   */
  take(count: number, nowMs: number): { taken: true } | { taken: false; retryAfterMs: number } {
    this.#refill(nowMs);
    if (count <= this.#tokens) {
      this.#tokens -= count;
      return { taken: true };
    }
    if (count > this.capacity) return { taken: false, retryAfterMs: Infinity };
    return { taken: false, retryAfterMs: Math.ceil(((count - this.#tokens) * 1000) / this.ratePerSecond) };
  }

  /** Returns tokens taken for work that did not happen, up to the capacity. */
  refund(count: number, nowMs: number): void {
    this.#refill(nowMs);
    this.#tokens = Math.min(this.capacity, this.#tokens + count);
  }

  #refill(nowMs: number): void {
    // A clock that steps back refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, nowMs - this.#updatedAt);
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsed * this.ratePerSecond) / 1000);
    this.#updatedAt = Math.max(this.#updatedAt, nowMs);
  }
}
