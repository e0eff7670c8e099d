import { describe, expect, it } from "vitest";
import {
  TIMESTAMP_MAX_SECONDS,
  TIMESTAMP_MIN_SECONDS,
  timeBounds,
  timeProblem,
} from "../../src/activity/time-bounds.js";
import { timestamp } from "./sample-activity.js";

const NOW = Date.parse("2026-09-15T12:00:00Z");
const bounds = timeBounds(NOW, Date.parse("2000-01-01T00:00:00Z"), 15 * 60_000);

describe("timeProblem", () => {
  it.each([
    ["the floor itself", "2000-01-01T00:00:00.000Z"],
    ["now", "2026-09-15T12:00:00.000Z"],
    ["exactly the allowed skew ahead", "2026-09-15T12:15:00.000Z"],
  ])("accepts %s", (_name, iso) => {
    expect(timeProblem(timestamp(iso), bounds)).toBeUndefined();
  });

  it.each([
    ["a missing time", undefined, "time is missing"],
    ["a time before the floor", timestamp("1999-12-31T23:59:59.999Z"), "is before 2000-01-01T00:00:00.000Z"],
    ["a time past the skew", timestamp("2026-09-15T12:15:00.001Z"), "is in the future"],
    ["negative nanos", { seconds: 1_800_000_000n, nanos: -1 }, "nanos -1"],
    ["nanos of a whole second", { seconds: 1_800_000_000n, nanos: 1_000_000_000 }, "outside 0..999999999"],
    ["seconds beyond any date", { seconds: 1n << 62n, nanos: 0 }, "s since the epoch is in the future"],
    ["seconds before any date", { seconds: -(1n << 62n), nanos: 0 }, "s since the epoch is before"],
  ])("refuses %s", (_name, ts, message) => {
    expect(timeProblem(ts, bounds)).toContain(message);
  });
});

describe("the Timestamp range", () => {
  it("is years 1 to 9999 to the second", () => {
    expect(new Date(Number(TIMESTAMP_MIN_SECONDS) * 1000).toISOString()).toBe("0001-01-01T00:00:00.000Z");
    expect(new Date(Number(TIMESTAMP_MAX_SECONDS) * 1000).toISOString()).toBe("9999-12-31T23:59:59.000Z");
  });
});
