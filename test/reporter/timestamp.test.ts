import { describe, expect, it } from "vitest";
import { toTimestamp } from "../../src/reporter/timestamp.js";

describe("toTimestamp", () => {
  it.each([
    ["2026-09-01T07:58:12.481Z", { seconds: 1788249492n, nanos: 481_000_000 }],
    ["1970-01-01T00:00:00Z", { seconds: 0n, nanos: 0 }],
    ["1969-12-31T23:59:59.999Z", { seconds: -1n, nanos: 999_000_000 }],
    ["0001-01-01T00:00:00Z", { seconds: -62135596800n, nanos: 0 }],
    ["9999-12-31T23:59:59.999Z", { seconds: 253402300799n, nanos: 999_000_000 }],
  ])("%s", (iso, expected) => {
    expect(toTimestamp(new Date(iso))).toEqual(expected);
  });

  it("refuses invalid dates and those a Timestamp cannot hold", () => {
    expect(toTimestamp(new Date("nope"))).toBeUndefined();
    expect(toTimestamp(new Date("+010000-01-01T00:00:00Z"))).toBeUndefined();
    expect(toTimestamp(new Date(-62_135_596_800_001))).toBeUndefined();
  });
});
