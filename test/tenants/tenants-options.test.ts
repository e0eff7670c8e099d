import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { hashToken, TenantTokens } from "../../src/tenants/tenant-tokens.js";
import { tenantsSettings, type TenantsServiceOptions } from "../../src/tenants/tenants-options.js";

const tokens = new TenantTokens([{ id: "acme", tokenSha256: hashToken("t") }]);

describe("tenantsSettings", () => {
  it("applies the documented defaults", () => {
    const s = tenantsSettings({ tokens });
    expect(s).toMatchObject({
      clientCertificates: false,
      maxBatchEvents: 10_000,
      maxBatchUsageReports: 1_000,
      maxBatchBytes: 4 * 1024 * 1024,
      maxFutureSkewMs: 15 * 60_000,
      earliestMs: Date.parse("2000-01-01T00:00:00Z"),
      maxReportedProblems: 10,
      rateLimit: { eventsPerSecond: 2_000, burst: 20_000 },
    });
  });

  it("allows an unlimited rate with any burst", () => {
    expect(tenantsSettings({ tokens, rateLimit: { eventsPerSecond: Infinity, burst: 0 } }).rateLimit).toEqual(
      {
        eventsPerSecond: Infinity,
        burst: 0,
      },
    );
  });

  it.each<[string, Partial<TenantsServiceOptions>, string]>([
    ["a zero batch size", { maxBatchEvents: 0 }, "maxBatchEvents must be a positive integer"],
    ["a fractional byte limit", { maxBatchBytes: 1.5 }, "maxBatchBytes must be a positive integer"],
    ["a negative skew", { maxFutureSkewMs: -1 }, "maxFutureSkewMs"],
    ["an invalid floor", { earliestTime: new Date("nope") }, "earliestTime is invalid"],
    ["a zero rate", { rateLimit: { eventsPerSecond: 0 } }, "rateLimit.eventsPerSecond must be positive"],
    [
      "a burst below the batch size",
      { maxBatchEvents: 500, rateLimit: { burst: 499 } },
      "rateLimit.burst (499) must be at least maxBatchEvents (500)",
    ],
  ])("refuses %s", (_name, options, message) => {
    expect(() => tenantsSettings({ tokens, ...options })).toThrow(InvalidArgumentError);
    expect(() => tenantsSettings({ tokens, ...options })).toThrow(message);
  });
});
