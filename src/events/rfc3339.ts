import type { Timestamp } from "../gen/google/protobuf/timestamp.js";

/**
 * RFC 3339 timestamps as Teleport writes them: UTC, Go's RFC3339Nano layout (the fraction's trailing
 * zeros trimmed, no fraction for whole seconds), e.g. "2026-09-03T14:22:05.64Z".
 */

const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
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

function toTimestamp(fields: readonly (string | undefined)[], offsetSeconds: number): Timestamp | undefined {
  const year = Number(fields[0]);
  const month = Number(fields[1]);
  const day = Number(fields[2]);
  const hour = Number(fields[3]);
  const minute = Number(fields[4]);
  const second = Number(fields[5]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // Four-digit years keep every second count well within a double's exact integers.
  const seconds = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  const fraction = fields[6];
  const nanos =
    fraction === undefined
      ? 0
      : Number(fraction.length >= 9 ? fraction.slice(0, 9) : fraction.padEnd(9, "0"));
  return { seconds: BigInt(seconds - offsetSeconds), nanos };
}

/** Parses a timestamp exactly as Teleport writes it; undefined for any other spelling. */
export function parseCanonicalTimestamp(text: string): Timestamp | undefined {
  const match = CANONICAL.exec(text);
  if (match === null) return undefined;
  // RFC3339Nano trims the fraction's trailing zeros (and drops an all-zero fraction).
  if (match[7]?.endsWith("0")) return undefined;
  return toTimestamp(match.slice(1), 0);
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
  return toTimestamp(match.slice(1), offset);
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
