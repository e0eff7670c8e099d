import type { TimeBounds } from "../activity/time-bounds.js";
import { usageReportProblems } from "../activity/usage-report-rules.js";
import type { UsageReport } from "../gen/tenants/tenants.js";
import { Problems } from "./problems.js";

/**
 * Validates a batch of usage reports, all or nothing like events.
 * @throws InvalidArgumentError naming up to `maxReported` problems, each with the report's index
 */
export function validateUsageReports(
  reports: readonly UsageReport[],
  bounds: TimeBounds,
  maxReported: number,
): void {
  const problems = new Problems(maxReported);
  reports.forEach((report, index) => {
    for (const problem of usageReportProblems(report, bounds))
      problems.add(`usage report ${index}: ${problem}`);
  });
  problems.throwIfAny(`usage reports batch of ${reports.length}`);
}
