import { completeMonthly, completeRolling } from "./complete-rows.js";
import type { Dialect, RenderedQuery, SqlValue } from "./dialect.js";
import { monthlyRows, rollingRows, usageRows } from "./sql/metric-rows.js";
import { latestUsageSql, monthlyMauSql, rollingMauSql } from "./sql/metrics.js";
import {
  checkLatestUsage,
  checkMonthly,
  checkRolling,
  type LatestUsageQuery,
  type MonthlyMauQuery,
  type RollingMauQuery,
} from "./usage-query.js";
import type { QueryOptions, UsageQueries } from "./usage-queries.js";
import type { MauRow, RollingMauRow, UsageReportRow } from "./usage-rows.js";

/**
 * One engine's side of the usage queries: runs a rendered statement and returns its rows in the
 * statement's column order, checked against its declared columns, with engine errors translated into
 * DomainErrors.
 */
export interface SqlRunner {
  readonly dialect: Dialect;
  run(query: RenderedQuery, signal?: AbortSignal): Promise<SqlValue[][]>;
  /**
   * Rejects with FailedPreconditionError while the engine's daily activity rollup is incomplete (being
   * built from the raw events), so no MAU is answered from part of it. Absent: always complete.
   */
  checkRollup?(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** UsageQueries for any SQL engine: check the query, render the metric, run it, complete the rows. */
export class SqlUsageQueries implements UsageQueries {
  constructor(private readonly runner: SqlRunner) {}

  async monthlyActiveUsers(query: MonthlyMauQuery, options: QueryOptions = {}): Promise<MauRow[]> {
    const checked = checkMonthly(query);
    await this.runner.checkRollup?.(options.signal);
    const rows = await this.runner.run(monthlyMauSql(this.runner.dialect, checked), options.signal);
    return completeMonthly(checked, monthlyRows(rows));
  }

  async rollingActiveUsers(query: RollingMauQuery, options: QueryOptions = {}): Promise<RollingMauRow[]> {
    const checked = checkRolling(query);
    await this.runner.checkRollup?.(options.signal);
    const rows = await this.runner.run(rollingMauSql(this.runner.dialect, checked), options.signal);
    return completeRolling(checked, rollingRows(rows, checked.windowDays));
  }

  async latestUsageReports(query: LatestUsageQuery, options: QueryOptions = {}): Promise<UsageReportRow[]> {
    const checked = checkLatestUsage(query);
    return usageRows(await this.runner.run(latestUsageSql(this.runner.dialect, checked), options.signal));
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
