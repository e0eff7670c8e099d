import type { UsageReport } from "../gen/tenants/tenants.js";
import { ANONYMIZED_FORM, isAnonymized } from "./anonymized.js";
import { timeProblem, type TimeBounds } from "./time-bounds.js";

/** Counts are stored as signed 64-bit integers (DuckDB and Timestream BIGINT). */
export const MAX_COUNT = (1n << 63n) - 1n;

/** Each resource count of a usage report: its storage name and its report field, in column order. */
export const USAGE_COUNT_FIELDS = [
  ["users", "users"],
  ["servers", "servers"],
  ["databases", "databases"],
  ["apps", "apps"],
  ["kube_clusters", "kubeClusters"],
  ["desktops", "desktops"],
  ["roles", "roles"],
  ["auth_connectors", "authConnectors"],
] as const satisfies readonly (readonly [string, keyof UsageReport])[];

export type UsageCount = (typeof USAGE_COUNT_FIELDS)[number][0];

/** The resource counts of a usage report, in storage and report column order. */
export const USAGE_COUNTS: readonly UsageCount[] = USAGE_COUNT_FIELDS.map(([name]) => name);

/** What is wrong with one usage report; empty when it can be stored. */
export function usageReportProblems(report: UsageReport, bounds: TimeBounds): string[] {
  const problems: string[] = [];
  const time = timeProblem(report.time, bounds);
  if (time !== undefined) problems.push(time);
  if (!isAnonymized(report.cluster)) {
    problems.push(`cluster is not anonymized (expected ${ANONYMIZED_FORM})`);
  }
  for (const [name, field] of USAGE_COUNT_FIELDS) {
    const value = report[field];
    if (value < 0n || value > MAX_COUNT) problems.push(`${name} ${value} is outside 0..2^63-1`);
  }
  return problems;
}
