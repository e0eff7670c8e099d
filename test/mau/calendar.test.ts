import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import {
  addMonths,
  DAY_MS,
  dayOf,
  daysBetween,
  formatDay,
  formatMonth,
  MAX_MONTHS,
  monthEnd,
  monthIndex,
  monthOf,
  monthsOf,
  monthStart,
  parseMonth,
  parseMonthRange,
} from "../../src/mau/calendar.js";

describe("parseMonth", () => {
  it.each([
    ["2026-09", { year: 2026, month: 9 }],
    ["1970-01", { year: 1970, month: 1 }],
    ["9998-12", { year: 9998, month: 12 }],
  ])("%s", (text, month) => {
    expect(parseMonth(text)).toEqual(month);
  });

  it.each([
    "2026-9",
    "2026-13",
    "2026-00",
    "26-09",
    "2026/09",
    " 2026-09",
    "2026-09-01",
    "",
    "1969-12",
    "9999-01",
    "abcd-ef",
  ])("refuses %j", (text) => {
    expect(() => parseMonth(text)).toThrow(InvalidArgumentError);
  });
});

describe("parseMonthRange", () => {
  it("reads one month as a range of one", () => {
    expect(parseMonthRange("2026-09")).toEqual({
      from: { year: 2026, month: 9 },
      to: { year: 2026, month: 9 },
    });
  });

  it("reads an inclusive range across a year", () => {
    const range = parseMonthRange("2025-11..2026-02");
    expect(monthsOf(range).map(formatMonth)).toEqual(["2025-11", "2025-12", "2026-01", "2026-02"]);
  });

  it.each([
    ["2026-09..2026-08", /reversed/],
    ["2026-09..2026-09..2026-10", /expected YYYY-MM/],
    ["2026-09..", /not a calendar month/],
    ["2000-01..2010-01", /at most 120 months/],
  ])("refuses %s", (text, message) => {
    expect(() => parseMonthRange(text)).toThrow(message);
  });

  it(`accepts exactly ${MAX_MONTHS} months`, () => {
    expect(monthsOf(parseMonthRange("2000-01..2009-12"))).toHaveLength(MAX_MONTHS);
  });
});

describe("month bounds", () => {
  it.each([
    ["2026-09", "2026-09-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z"],
    ["2026-12", "2026-12-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
    ["2028-02", "2028-02-01T00:00:00.000Z", "2028-03-01T00:00:00.000Z"],
    ["1970-01", "1970-01-01T00:00:00.000Z", "1970-02-01T00:00:00.000Z"],
  ])("%s is [%s, %s)", (text, start, end) => {
    const month = parseMonth(text);
    expect(monthStart(month).toISOString()).toBe(start);
    expect(monthEnd(month).toISOString()).toBe(end);
  });

  it("puts the last millisecond of a month in it and the next one in the next month", () => {
    expect(formatMonth(monthOf(Date.parse("2026-09-30T23:59:59.999Z")))).toBe("2026-09");
    expect(formatMonth(monthOf(Date.parse("2026-10-01T00:00:00.000Z")))).toBe("2026-10");
  });

  const months = fc.record({
    year: fc.integer({ min: 1970, max: 9997 }),
    month: fc.integer({ min: 1, max: 12 }),
  });

  it("tiles time: each month ends where the next begins, and contains its own start", () => {
    fc.assert(
      fc.property(months, (month) => {
        expect(monthEnd(month)).toEqual(monthStart(addMonths(month, 1)));
        expect(monthOf(monthStart(month))).toEqual(month);
        expect(monthOf(monthEnd(month).getTime() - 1)).toEqual(month);
        expect(parseMonth(formatMonth(month))).toEqual(month);
      }),
    );
  });

  it("orders months by index", () => {
    fc.assert(
      fc.property(months, fc.integer({ min: -500, max: 500 }), (month, n) => {
        expect(monthIndex(addMonths(month, n)) - monthIndex(month)).toBe(n);
      }),
    );
  });
});

describe("days", () => {
  it("truncates an instant to its UTC day", () => {
    expect(formatDay(dayOf(Date.parse("2026-09-30T23:59:59.999Z")))).toBe("2026-09-30");
    expect(formatDay(dayOf(new Date("2026-10-01T00:00:00Z")))).toBe("2026-10-01");
  });

  it("lists days inclusively", () => {
    const from = Date.parse("2026-09-29");
    expect(daysBetween(from, from + 3 * DAY_MS).map(formatDay)).toEqual([
      "2026-09-29",
      "2026-09-30",
      "2026-10-01",
      "2026-10-02",
    ]);
    expect(daysBetween(from, from - DAY_MS)).toEqual([]);
  });
});
