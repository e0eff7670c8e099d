import { describe, expect, it } from "vitest";
import { timeBounds } from "../../src/activity/time-bounds.js";
import { usageReportProblems } from "../../src/activity/usage-report-rules.js";
import { USAGE_PROBLEMS } from "./problem-cases.js";
import { NOW_MS, usageReport } from "./sample-activity.js";

const bounds = timeBounds(NOW_MS, Date.parse("2000-01-01T00:00:00Z"), 15 * 60_000);

describe("usageReportProblems", () => {
  it("accepts a valid report, zero and the largest counts", () => {
    expect(usageReportProblems(usageReport(), bounds)).toEqual([]);
    expect(usageReportProblems(usageReport({ users: 0n, roles: (1n << 63n) - 1n }), bounds)).toEqual([]);
  });

  it.each(USAGE_PROBLEMS)("names %s", (_name, overrides, message) => {
    const problems = usageReportProblems(usageReport(overrides), bounds);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });
});
