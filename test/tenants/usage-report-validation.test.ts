import { describe, expect, it } from "vitest";
import { timeBounds } from "../../src/activity/time-bounds.js";
import { validateUsageReports } from "../../src/tenants/usage-report-validation.js";
import { NOW_MS, usageReport } from "../activity/sample-activity.js";

const bounds = timeBounds(NOW_MS, Date.parse("2000-01-01T00:00:00Z"), 15 * 60_000);

describe("validateUsageReports", () => {
  it("refuses the whole batch naming each bad report by index", () => {
    const reports = [usageReport(), usageReport({ cluster: "raw" }), usageReport({ time: undefined })];
    expect(() => validateUsageReports(reports, bounds, 10)).toThrow(
      "usage reports batch of 3 rejected, nothing stored (2 problems): usage report 1: cluster is not " +
        "anonymized",
    );
  });
});
