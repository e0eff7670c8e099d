import { describe, expect, it } from "vitest";
import { formatDuration, parseAuditLogSpec, parseDuration, parsePositiveInt } from "../../src/cli/parsers.js";
import fc from "fast-check";

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [400, "400ms"],
    [1500, "1500ms"],
    [5000, "5s"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [3_661_000, "1h1m1s"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("reads back as the same duration", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["5s", 5000],
    ["1m", 60_000],
    ["2h", 7_200_000],
    ["1m30s", 90_000],
    ["1.5s", 1500],
    ["750", 750],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["5x", "s", "5s junk", "-1s", "1s-", ""])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(/duration/);
  });
});

describe("parsePositiveInt", () => {
  it("accepts whole numbers from 1", () => {
    expect(parsePositiveInt("1")).toBe(1);
    expect(parsePositiveInt("500")).toBe(500);
  });
  it.each(["0", "-3", "2.5", "ten", "", "99999999999999999999"])("rejects %j", (text) => {
    expect(() => parsePositiveInt(text)).toThrow(/positive whole number/);
  });
});

describe("parseAuditLogSpec", () => {
  it("reads file and dynamodb specs", () => {
    expect(parseAuditLogSpec("file:/var/lib/teleport/log")).toEqual({
      kind: "file",
      dir: "/var/lib/teleport/log",
    });
    expect(parseAuditLogSpec("file:rel/dir")).toEqual({ kind: "file", dir: "rel/dir" });
    expect(parseAuditLogSpec("dynamodb:teleport-events")).toEqual({
      kind: "dynamodb",
      table: "teleport-events",
    });
  });
  it.each(["", "file:", "s3:bucket", "teleport-events", "dynamodb:x", "dynamodb:bad/name"])(
    "rejects %j",
    (text) => {
      expect(() => parseAuditLogSpec(text)).toThrow(/file:DIR|table name/);
    },
  );
});
