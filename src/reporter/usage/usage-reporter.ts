import { InvalidArgumentError, isDomainError } from "../../errors/errors.js";
import type { UsageReport } from "../../gen/tenants/tenants.js";
import type { Logger } from "../../observability/logger.js";
import { counter, type Registry } from "../../observability/metrics.js";
import type { Anonymizer } from "../anonymizer/anonymizer.js";
import type { Backoff } from "../../time/backoff.js";
import { monotonicClock } from "../../time/clock.js";
import { retry } from "../../time/retry.js";
import { submissionRetry } from "../retry-policy.js";
import { toTimestamp } from "../timestamp.js";
import type { Submitter } from "../submitter/submitter.js";
import type { UsageCounts, UsageSource } from "./usage-source.js";

export interface UsageReporterOptions {
  source: UsageSource;
  submitter: Submitter;
  anonymizer: Anonymizer;
  /** Between reports, ms; the first goes at start. */
  interval: number;
  retry: Backoff;
  logger: Logger;
  registry: Registry;
  now?: () => Date;
}

/**
 * Submits resource counts every `interval`. Counts are snapshots: a period whose report cannot be read or
 * delivered (retries stop at the next period) is logged and counted, and the next period tries afresh.
 */
export class UsageReporter {
  readonly #o: UsageReporterOptions;
  readonly #submitted;
  readonly #failed;

  /** @throws InvalidArgumentError for an interval that is not a positive number of ms */
  constructor(options: UsageReporterOptions) {
    if (!Number.isFinite(options.interval) || options.interval <= 0) {
      throw new InvalidArgumentError(
        `usage report interval must be a positive number of ms, got ${options.interval}`,
      );
    }
    this.#o = options;
    this.#submitted = counter(options.registry, {
      name: "tenant_events_reporter_usage_reports_submitted_total",
      help: "Usage reports (one per cluster) the tenants service acknowledged.",
    });
    this.#failed = counter(options.registry, {
      name: "tenant_events_reporter_usage_report_failures_total",
      help: "Periods whose usage reports could not be read or delivered.",
    });
  }

  /** Reports until `signal` aborts; never throws. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.reportOnce(AbortSignal.any([signal, AbortSignal.timeout(this.#o.interval)]));
      await monotonicClock.sleep(this.#o.interval, signal);
    }
  }

  /** Reads, anonymizes and submits the counts once; failures are logged and counted. */
  async reportOnce(signal: AbortSignal): Promise<void> {
    try {
      const now = (this.#o.now ?? (() => new Date()))();
      const reports = (await this.#o.source.read()).map((c) => this.#report(c, now));
      if (reports.length === 0) return;
      await retry(
        (s) => this.#o.submitter.submitUsageReports(reports, { signal: s }),
        submissionRetry(this.#o.retry),
        signal,
        {
          onFailure: (err, failures, retryIn) =>
            this.#o.logger.warn({ err, failures, retryIn }, "usage report submission failed"),
        },
      );
      this.#submitted.inc(reports.length);
    } catch (err) {
      this.#failed.inc();
      const level = isDomainError(err) && err.kind !== "internal" ? "error" : "warn";
      this.#o.logger[level]({ err }, "usage report skipped this period");
    }
  }

  #report(counts: UsageCounts, now: Date): UsageReport {
    return {
      time: toTimestamp(counts.time ?? now),
      cluster: this.#o.anonymizer.anonymize(counts.cluster),
      users: counts.users,
      servers: counts.servers,
      databases: counts.databases,
      apps: counts.apps,
      kubeClusters: counts.kubeClusters,
      desktops: counts.desktops,
      roles: counts.roles,
      authConnectors: counts.authConnectors,
    };
  }
}
