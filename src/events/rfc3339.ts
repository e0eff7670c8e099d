import type { Timestamp } from "../gen/google/protobuf/timestamp.js";

/**
 * RFC 3339 timestamps as Teleport writes them: UTC, Go's RFC3339Nano layout (the fraction's trailing
 * zeros trimmed, no fraction for whole seconds), e.g. "2026-09-03T14:22:05.64Z".
 */

const ANY_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const SECONDS_PER_DAY = 86_400;
const BIG_SECONDS_PER_DAY = 86_400n;
const NANOS_PER_SECOND = 1_000_000_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
}

function toTimestamp(time: Civil, offsetSeconds: number): Timestamp | undefined {
  const { year, month, day, hour, minute, second } = time;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // Four-digit years keep every second count well within a double's exact integers.
  const seconds = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  return { seconds: BigInt(seconds - offsetSeconds), nanos: time.nanos };
}

/** The value of `count` decimal digits of `text` from `at`, or -1 when one of them is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Nanoseconds of a fraction's digits ("64" is 640 000 000); digits beyond nine are truncated. */
function fractionNanos(fraction: string | undefined): number {
  if (fraction === undefined) return 0;
  return Number(fraction.length >= 9 ? fraction.slice(0, 9) : fraction.padEnd(9, "0"));
}

/**
 * Parses a timestamp exactly as Teleport writes it (`YYYY-MM-DDTHH:MM:SS` with ASCII digits, then
 * `.` and 1 to 9 digits not ending in 0, or nothing, then `Z`); undefined for any other spelling. Read
 * character by character rather than with a regex: every event has one.
 */
export function parseCanonicalTimestamp(text: string): Timestamp | undefined {
  const length = text.length;
  // "YYYY-MM-DDTHH:MM:SSZ" is 20 characters; a fraction of 1 to 9 digits adds 2 to 10.
  if (length !== 20 && (length < 22 || length > 30)) return undefined;
  if (text.charCodeAt(length - 1) !== 0x5a) return undefined;
  if (text[4] !== "-" || text[7] !== "-" || text[10] !== "T" || text[13] !== ":" || text[16] !== ":")
    return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if ((year | month | day | hour | minute | second) < 0) return undefined;
  let nanos = 0;
  if (length > 20) {
    if (text[19] !== ".") return undefined;
    const count = length - 21;
    const fraction = digitsAt(text, 20, count);
    // RFC3339Nano trims the fraction's trailing zeros (and drops an all-zero fraction).
    if (fraction < 0 || fraction % 10 === 0) return undefined;
    nanos = fraction * 10 ** (9 - count);
  }
  return toTimestamp({ year, month, day, hour, minute, second, nanos }, 0);
}

/**
 * Parses any RFC 3339 date-time (any offset, any fraction length; digits beyond nanoseconds are
 * truncated). For reading times that were not written canonically.
 */
export function parseTimestamp(text: string): Timestamp | undefined {
  const match = ANY_OFFSET.exec(text);
  if (match === null) return undefined;
  let offset = 0;
  if (match[8] === undefined) {
    const hours = Number(match[10]);
    const minutes = Number(match[11]);
    if (hours > 23 || minutes > 59) return undefined;
    offset = (match[9] === "-" ? -1 : 1) * (hours * 3600 + minutes * 60);
  }
  return toTimestamp(
    {
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      hour: Number(match[4]),
      minute: Number(match[5]),
      second: Number(match[6]),
      nanos: fractionNanos(match[7]),
    },
    offset,
  );
}

/** Formats like Go's time.RFC3339Nano in UTC. */
export function formatTimestamp(timestamp: Timestamp): string {
  let seconds = timestamp.seconds;
  let nanos = timestamp.nanos;
  if (nanos < 0 || nanos >= NANOS_PER_SECOND) {
    const carry = Math.floor(nanos / NANOS_PER_SECOND);
    seconds += BigInt(carry);
    nanos -= carry * NANOS_PER_SECOND;
  }
  // Every representable date's second count is a safe integer; the bigint path is for absurd values.
  const total = Number(seconds);
  let days: number;
  let secondOfDay: number;
  if (Number.isSafeInteger(total)) {
    days = Math.floor(total / SECONDS_PER_DAY);
    secondOfDay = total - days * SECONDS_PER_DAY;
  } else {
    const bigDays = seconds / BIG_SECONDS_PER_DAY - (seconds % BIG_SECONDS_PER_DAY < 0n ? 1n : 0n);
    days = Number(bigDays);
    secondOfDay = Number(seconds - bigDays * BIG_SECONDS_PER_DAY);
  }
  const { year, month, day } = civilFromDays(days);
  const yearText = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  const hh = pad(Math.floor(secondOfDay / 3600), 2);
  const mm = pad(Math.floor(secondOfDay / 60) % 60, 2);
  const ss = pad(secondOfDay % 60, 2);
  const fraction = nanos === 0 ? "" : `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}`;
  return `${yearText}-${pad(month, 2)}-${pad(day, 2)}T${hh}:${mm}:${ss}${fraction}Z`;
}

/** A timestamp as a Date (millisecond precision); undefined beyond the Date range. */
export function timestampToDate(timestamp: Timestamp): Date | undefined {
  const millis = Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1_000_000);
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}
