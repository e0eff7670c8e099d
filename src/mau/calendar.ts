import { InvalidArgumentError } from "../errors/errors.js";

/**
 * Calendar months and days in UTC, the only calendar the usage queries know: a month is
 * [its first day 00:00Z, the next month's first day 00:00Z). Everything here is pure.
 */

/** A calendar month; `month` is 1..12. */
export interface Month {
  readonly year: number;
  readonly month: number;
}

/** An inclusive range of months, `from` not after `to`. */
export interface MonthRange {
  readonly from: Month;
  readonly to: Month;
}

/** A UTC day as epoch milliseconds of its 00:00Z. */
export type Day = number;

export const DAY_MS = 86_400_000;

/**
 * Years a query may name. Audit events postdate 1970 (Timestream stores nothing earlier), and 9998 keeps
 * every bound a query renders (the month after the last) within four-digit ISO years.
 */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 9998;

/** Ranges longer than this are refused: the rolling series renders one calendar entry per day. */
export const MAX_MONTHS = 120;

/** "YYYY-MM" → Month. */
export function parseMonth(text: string): Month {
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  if (match === null || month < 1 || month > 12) {
    throw new InvalidArgumentError(`month "${text}" is not a calendar month: expected YYYY-MM, e.g. 2026-09`);
  }
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new InvalidArgumentError(`month "${text}": the year must be ${MIN_YEAR} to ${MAX_YEAR}`);
  }
  return { year, month };
}

/**
 * "YYYY-MM" (one month) or "YYYY-MM..YYYY-MM" (inclusive range) → MonthRange.
 * @throws InvalidArgumentError for a malformed month, a reversed range, or one over MAX_MONTHS.
 */
export function parseMonthRange(text: string): MonthRange {
  const parts = text.split("..");
  if (parts.length > 2) {
    throw new InvalidArgumentError(`months "${text}": expected YYYY-MM or YYYY-MM..YYYY-MM`);
  }
  const from = parseMonth(parts[0] ?? "");
  const to = parts[1] === undefined ? from : parseMonth(parts[1]);
  return monthRange(from, to);
}

/** Checks a range: valid months, ordered, at most MAX_MONTHS long. */
export function monthRange(from: Month, to: Month): MonthRange {
  for (const month of [from, to]) {
    if (
      !Number.isInteger(month.year) ||
      !Number.isInteger(month.month) ||
      month.month < 1 ||
      month.month > 12 ||
      month.year < MIN_YEAR ||
      month.year > MAX_YEAR
    ) {
      throw new InvalidArgumentError(
        `month ${JSON.stringify(month)} is not a month of ${MIN_YEAR}..${MAX_YEAR}`,
      );
    }
  }
  const count = monthIndex(to) - monthIndex(from) + 1;
  if (count < 1) {
    throw new InvalidArgumentError(`months ${formatMonth(from)}..${formatMonth(to)}: the range is reversed`);
  }
  if (count > MAX_MONTHS) {
    throw new InvalidArgumentError(
      `months ${formatMonth(from)}..${formatMonth(to)}: at most ${MAX_MONTHS} months at a time`,
    );
  }
  return { from, to };
}

export function formatMonth(month: Month): string {
  return `${String(month.year).padStart(4, "0")}-${String(month.month).padStart(2, "0")}`;
}

/** Months since year 0, for ordering and counting. */
export function monthIndex(month: Month): number {
  return month.year * 12 + (month.month - 1);
}

export function monthFromIndex(index: number): Month {
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export function addMonths(month: Month, count: number): Month {
  return monthFromIndex(monthIndex(month) + count);
}

/** Every month of the range, in order. */
export function monthsOf(range: MonthRange): Month[] {
  const months: Month[] = [];
  for (let i = monthIndex(range.from); i <= monthIndex(range.to); i++) months.push(monthFromIndex(i));
  return months;
}

/** The instant the month begins (00:00Z on its first day). */
export function monthStart(month: Month): Date {
  const date = new Date(0);
  date.setUTCFullYear(month.year, month.month - 1, 1);
  return date;
}

/** The instant after the month ends (the next month's start). */
export function monthEnd(month: Month): Date {
  return monthStart(addMonths(month, 1));
}

/** The month an instant falls in. */
export function monthOf(instant: Date | number): Month {
  const date = new Date(instant);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

/** The day an instant falls in. */
export function dayOf(instant: Date | number): Day {
  const ms = typeof instant === "number" ? instant : instant.getTime();
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** "YYYY-MM-DD". */
export function formatDay(day: Day): string {
  return new Date(day).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: Day, to: Day): Day[] {
  const days: Day[] = [];
  for (let day = from; day <= to; day += DAY_MS) days.push(day);
  return days;
}
