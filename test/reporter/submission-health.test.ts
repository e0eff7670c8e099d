import { describe, expect, it } from "vitest";
import { PermissionDeniedError, UnavailableError } from "../../src/errors/errors.js";
import { newRegistry } from "../../src/observability/metrics.js";
import { SubmissionHealth } from "../../src/reporter/submission-health.js";
import { captureLogs } from "../support/log-capture.js";

async function gaugeValue(registry: ReturnType<typeof newRegistry>): Promise<number | undefined> {
  const metric = await registry.getSingleMetric("tenant_events_reporter_consecutive_failures")?.get();
  return metric?.values[0]?.value;
}

describe("SubmissionHealth", () => {
  it("counts consecutive failures in the gauge and resets on success", async () => {
    const registry = newRegistry();
    const health = new SubmissionHealth(registry, captureLogs("info").logger, 3);
    expect(await gaugeValue(registry)).toBe(0);
    health.failed(new UnavailableError("down"), "SubmitEvents");
    health.failed(new UnavailableError("down"), "SubmitEvents");
    expect(await gaugeValue(registry)).toBe(2);
    expect(health.consecutiveFailures).toBe(2);
    health.succeeded();
    expect(await gaugeValue(registry)).toBe(0);
  });

  it("logs an error at N consecutive failures and at each further multiple, and logs the recovery", () => {
    const { logger, records: lines } = captureLogs("info");
    const health = new SubmissionHealth(newRegistry(), logger, 2);
    for (let i = 0; i < 5; i++) health.failed(new UnavailableError("down"), "SubmitEvents");
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, "SubmitEvents has failed 2 times in a row; the cursor is not advancing"],
      [50, "SubmitEvents has failed 4 times in a row; the cursor is not advancing"],
    ]);
    health.succeeded();
    expect(lines.at(-1)?.msg).toBe("submissions succeed again");
  });

  it("counts failures by error kind", async () => {
    const registry = newRegistry();
    const health = new SubmissionHealth(registry, captureLogs("info").logger, 5);
    health.failed(new UnavailableError("down"), "x");
    health.failed(new UnavailableError("down"), "x");
    health.failed(new PermissionDeniedError("no"), "x");
    health.failed(new Error("?"), "x");
    const metric = await registry.getSingleMetric("tenant_events_reporter_submit_failures_total")?.get();
    const byKind = Object.fromEntries(
      (metric?.values ?? [])
        .filter((v) => v.value !== 0)
        .map((v): [string, number] => [String(v.labels["kind"]), v.value]),
    );
    expect(byKind).toEqual({ unavailable: 2, "permission-denied": 1, other: 1 });
  });
});
