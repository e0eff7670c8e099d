import { describe, expect, it } from "vitest";
import { timeBounds } from "../../src/tenants/time-bounds.js";
import { usageReportProblems, validateUsageReports } from "../../src/tenants/usage-report-validation.js";
import { USAGE_PROBLEMS } from "./problem-cases.js";
import { NOW_MS, usageReport } from "./sample-activity.js";

const bounds = timeBounds(NOW_MS, Date.parse("2000-01-01T00:00:00Z"), 15 * 60_000);

describe("usage report validation", () => {
  it("accepts a valid report, zero and the largest counts", () => {
    expect(usageReportProblems(usageReport(), bounds)).toEqual([]);
    expect(usageReportProblems(usageReport({ users: 0n, roles: (1n << 63n) - 1n }), bounds)).toEqual([]);
  });

  it.each(USAGE_PROBLEMS)("names %s", (_name, overrides, message) => {
    const problems = usageReportProblems(usageReport(overrides), bounds);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("refuses the whole batch naming each bad report by index", () => {
    const reports = [usageReport(), usageReport({ cluster: "raw" }), usageReport({ time: undefined })];
    expect(() => validateUsageReports(reports, bounds, 10)).toThrow(
      "usage reports batch of 3 rejected, nothing stored (2 problems): usage report 1: cluster is not " +
        "anonymized",
    );
  });
});
