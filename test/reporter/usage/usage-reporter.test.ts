import { describe, expect, it, vi } from "vitest";
import { InvalidArgumentError, PermissionDeniedError, UnavailableError } from "../../../src/errors/errors.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { newRegistry, type Registry } from "../../../src/observability/metrics.js";
import type { Anonymizer } from "../../../src/reporter/anonymizer/anonymizer.js";
import { UsageReporter } from "../../../src/reporter/usage/usage-reporter.js";
import type { UsageCounts, UsageSource } from "../../../src/reporter/usage/usage-source.js";
import { FakeSubmitter } from "../support/fakes.js";

const counts: UsageCounts = {
  cluster: "acme-prod.teleport.sh",
  users: 12n,
  servers: 40n,
  databases: 3n,
  apps: 2n,
  kubeClusters: 1n,
  desktops: 5n,
  roles: 9n,
  authConnectors: 2n,
};
const anonymizer: Anonymizer = { anonymize: (s) => `anon:${s.length}` };
const fixed = new Date("2026-09-30T12:00:00.250Z");

function reporter(
  source: UsageSource,
  submitter: FakeSubmitter,
  registry: Registry = newRegistry(),
  interval = 60_000,
): UsageReporter {
  return new UsageReporter({
    source,
    submitter,
    anonymizer,
    interval,
    retry: { initialDelay: 1, maxDelay: 1, multiplier: 1, jitter: 0 },
    logger: silentLogger,
    registry,
    now: () => fixed,
  });
}

async function failures(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric("tenant_events_reporter_usage_report_failures_total")?.get();
  return metric?.values[0]?.value ?? 0;
}

describe("UsageReporter", () => {
  it("anonymizes the cluster and stamps the report with the time of the counts, else now", async () => {
    const submitter = new FakeSubmitter();
    const taken = new Date("2026-09-30T00:00:00Z");
    const source: UsageSource = { read: () => Promise.resolve([counts, { ...counts, time: taken }]) };
    await reporter(source, submitter).reportOnce(new AbortController().signal);
    expect(submitter.usageReports).toEqual([
      [
        { ...counts, cluster: "anon:21", time: { seconds: 1790769600n, nanos: 250_000_000 } },
        { ...counts, cluster: "anon:21", time: { seconds: 1790726400n, nanos: 0 } },
      ],
    ]);
  });

  it("retries a retryable failure", async () => {
    const submitter = new FakeSubmitter();
    submitter.failures.push(new UnavailableError("down"));
    await reporter({ read: () => Promise.resolve([counts]) }, submitter).reportOnce(
      new AbortController().signal,
    );
    expect(submitter.usageReports).toHaveLength(1);
  });

  it.each([
    ["a refused submission", new PermissionDeniedError("no"), () => Promise.resolve([counts])],
    ["an unreadable source", undefined, () => Promise.reject(new InvalidArgumentError("usage file: bad"))],
  ])("counts %s and carries on without throwing", async (_name, failure, read) => {
    const submitter = new FakeSubmitter();
    submitter.failAlways = failure;
    const registry = newRegistry();
    await reporter({ read }, submitter, registry).reportOnce(new AbortController().signal);
    expect(submitter.usageReports).toEqual([]);
    expect(await failures(registry)).toBe(1);
  });

  it("reports at start and every interval until aborted", async () => {
    const submitter = new FakeSubmitter();
    const controller = new AbortController();
    const run = reporter({ read: () => Promise.resolve([counts]) }, submitter, newRegistry(), 10).run(
      controller.signal,
    );
    await vi.waitFor(() => expect(submitter.usageReports.length).toBeGreaterThanOrEqual(3));
    controller.abort();
    await run;
    const after = submitter.usageReports.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(submitter.usageReports).toHaveLength(after);
    expect(submitter.usageReports[0]?.[0]?.cluster).toBe("anon:21");
  });

  it.each([0, -1, Number.NaN])("refuses an interval of %s ms", (interval) => {
    expect(() =>
      reporter({ read: () => Promise.resolve([]) }, new FakeSubmitter(), newRegistry(), interval),
    ).toThrow(/usage report interval must be a positive number of ms/);
  });
});
