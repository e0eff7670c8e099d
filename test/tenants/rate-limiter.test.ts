import { describe, expect, it } from "vitest";
import { ResourceExhaustedError } from "../../src/errors/errors.js";
import { TenantRateLimiter } from "../../src/tenants/rate-limiter.js";

function limiter(eventsPerSecond = 100, burst = 1000) {
  const clock = { now: 0 };
  return { clock, limiter: new TenantRateLimiter({ eventsPerSecond, burst }, () => clock.now) };
}

describe("TenantRateLimiter", () => {
  it("admits a burst, refuses past it saying when to retry, and admits again after the refill", () => {
    const { clock, limiter: l } = limiter();
    l.admit("acme", 1000);
    expect(() => l.admit("acme", 50)).toThrow(ResourceExhaustedError);
    expect(() => l.admit("acme", 50)).toThrow(
      "rate limit: tenant acme may submit 100 events/s (bursts of 1000); this batch of 50 exceeds it; retry in 1 s",
    );
    clock.now = 500;
    l.admit("acme", 50);
  });

  it("keeps one bucket per tenant", () => {
    const { limiter: l } = limiter();
    l.admit("acme", 1000);
    l.admit("globex", 1000);
    expect(() => l.admit("acme", 1)).toThrow("rate limit");
  });

  it("gives refunded events back", () => {
    const { limiter: l } = limiter();
    l.admit("acme", 1000);
    l.refund("acme", 1000);
    l.admit("acme", 1000);
  });

  it("admits everything when the rate is Infinity", () => {
    const { limiter: l } = limiter(Infinity, 0);
    for (let i = 0; i < 10; i++) l.admit("acme", 1_000_000);
  });
});
