import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayFileName, isDayFileName, utcDayOf } from "../../../src/auditlog/file/day-file.js";

describe("isDayFileName", () => {
  it.each([
    ["2026-09-01.log", true],
    ["2024-02-29.log", true],
    ["0001-01-01.log", true],
    ["2026-02-29.log", false],
    ["2026-13-01.log", false],
    ["2026-09-00.log", false],
    ["2026-9-1.log", false],
    ["2026-09-01.log.gz", false],
    ["events.log", false],
    ["shardId-00000001700000000000-0a1b2c3d", false],
    ["", false],
  ])("%j → %s", (name, expected) => {
    expect(isDayFileName(name)).toBe(expected);
  });
});

describe("utcDayOf", () => {
  it.each([
    ["2026-09-01T07:58:12.481Z", "2026-09-01"],
    ["2026-09-01T23:59:59.999999999Z", "2026-09-01"],
    ["2026-09-01T23:30:00-02:00", "2026-09-02"],
    ["2026-09-01T01:30:00+02:00", "2026-08-31"],
    ["2026-12-31T23:59:60Z", "2026-12-31"],
    ["2026-09-01t07:58:12z", "2026-09-01"],
    ["2026-09-01 07:58:12Z", "2026-09-01"],
    ["0001-01-01T00:00:00Z", "0001-01-01"],
    ["0050-06-01T00:00:00Z", "0050-06-01"],
    ["0000-01-01T00:30:00+01:00", undefined],
    ["9999-12-31T23:00:00-02:00", undefined],
    ["2026-09-01", undefined],
    ["2026-09-01T07:58:12", undefined],
    ["2026-02-30T00:00:00Z", undefined],
    ["2026-09-01T24:00:00Z", undefined],
    ["2026-09-01T07:58:12+24:00", undefined],
    ["Tue, 01 Sep 2026 07:58:12 GMT", undefined],
    ["", undefined],
  ])("%j → %s", (time, expected) => {
    expect(utcDayOf(time)).toBe(expected);
  });

  it("agrees with Date for every instant and offset", () => {
    const instants = fc.date({
      min: new Date("1000-01-02T00:00:00Z"),
      max: new Date("9999-12-30T00:00:00Z"),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instants, fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }), (date, offset) => {
        const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 23);
        const sign = offset < 0 ? "-" : "+";
        const abs = Math.abs(offset);
        const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
        expect(utcDayOf(`${local}${zone}`)).toBe(date.toISOString().slice(0, 10));
        expect(utcDayOf(date.toISOString())).toBe(date.toISOString().slice(0, 10));
      }),
    );
  });
});

describe("dayFileName", () => {
  it("names the file of a day", () => {
    expect(dayFileName("2026-09-01")).toBe("2026-09-01.log");
    expect(isDayFileName(dayFileName("2026-09-01"))).toBe(true);
  });
});
