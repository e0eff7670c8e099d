import { ResourceExhaustedError } from "../errors/errors.js";
import { TokenBucket } from "./token-bucket.js";

export interface RateLimit {
  /** Sustained events per second per tenant; Infinity disables the limit. */
  eventsPerSecond: number;
  /** Events a tenant may submit at once after being idle; at least the largest batch allowed. */
  burst: number;
}

/**
 * One token bucket per tenant, on events (not requests): a tenant's batch of n events takes n tokens.
 * Tenants come only from the configured credentials, so the map is bounded.
 */
export class TenantRateLimiter {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}

  /**
   * Takes `events` tokens from the tenant's bucket.
   * @throws ResourceExhaustedError ("rate limit") when they are not available; nothing is taken then
   */
  admit(tenant: string, events: number): void {
    if (this.limit.eventsPerSecond === Infinity || events === 0) return;
    const outcome = this.#bucket(tenant).take(events, this.now());
    if (outcome.taken) return;
    const wait = Number.isFinite(outcome.retryAfterMs)
      ? `; retry in ${Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))} s`
      : "";
    throw new ResourceExhaustedError(
      `rate limit: tenant ${tenant} may submit ${this.limit.eventsPerSecond} events/s ` +
        `(bursts of ${this.limit.burst}); this batch of ${events} exceeds it${wait}`,
    );
  }

  /** Gives back the tokens of a batch that was admitted but not stored, so its retry is not charged twice. */
  refund(tenant: string, events: number): void {
    if (this.limit.eventsPerSecond === Infinity || events === 0) return;
    this.#bucket(tenant).refund(events, this.now());
  }

  #bucket(tenant: string): TokenBucket {
    let bucket = this.#buckets.get(tenant);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.limit.eventsPerSecond, this.limit.burst, this.now());
      this.#buckets.set(tenant, bucket);
    }
    return bucket;
  }
}
