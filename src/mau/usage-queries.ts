import type { LatestUsageQuery, MonthlyMauQuery, RollingMauQuery } from "./usage-query.js";
import type { MauRow, RollingMauRow, UsageReportRow } from "./usage-rows.js";

export interface QueryOptions {
  /** Abandons the query; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The usage questions the central side answers, over whatever the sink stored. Implementations:
 * DuckDbUsageQueries (the embedded sink's file) and TimestreamUsageQueries (Timestream Query); both run
 * the same metric definitions (sql/metrics.ts) rendered for their engine.
 *
 * Results are complete, not sparse: every month of the range (every day of a series) appears for each
 * tenant that has a row in the answer, with zeros where nobody was active; per-protocol rows cover every
 * protocol of PROTOCOLS plus any other stored protocol. With `tenant` given, that tenant always appears.
 * Bots appear only when asked for. Invalid input rejects with InvalidArgumentError; engine failures
 * with the DomainError that fits (NotFoundError for a missing table, UnavailableError, …).
 */
export interface UsageQueries {
  /** MAU (protocol null) and MAU per protocol for each month of the range. */
  monthlyActiveUsers(query: MonthlyMauQuery, options?: QueryOptions): Promise<MauRow[]>;
  /** The rolling MAU daily series (all protocols). */
  rollingActiveUsers(query: RollingMauQuery, options?: QueryOptions): Promise<RollingMauRow[]>;
  /** The latest resource counts of each (tenant, cluster). */
  latestUsageReports(query: LatestUsageQuery, options?: QueryOptions): Promise<UsageReportRow[]>;
  /** Releases what the implementation opened. */
  close(): Promise<void>;
}
