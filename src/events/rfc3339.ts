import type { Timestamp } from "../gen/google/protobuf/timestamp.js";

/**
 * RFC 3339 timestamps as Teleport writes them: UTC, Go's RFC3339Nano layout (the fraction's trailing
 * zeros trimmed, no fraction for whole seconds), e.g. "2026-09-03T14:22:05.64Z".
 */

const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const ANY_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const SECONDS_PER_DAY = 86_400n;
const NANOS_PER_SECOND = 1_000_000_000n;

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
  const [year, month, day, hour, minute, second] = fields.slice(0, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const seconds =
    BigInt(daysFromCivil(year, month, day)) * SECONDS_PER_DAY +
    BigInt(hour * 3600 + minute * 60 + second - offsetSeconds);
  const nanos = Number((fields[6] ?? "").slice(0, 9).padEnd(9, "0"));
  return { seconds, nanos };
}

/** Parses a timestamp exactly as Teleport writes it; undefined for any other spelling. */
export function parseCanonicalTimestamp(text: string): Timestamp | undefined {
  const match = CANONICAL.exec(text);
  if (match === null) return undefined;
  const timestamp = toTimestamp(match.slice(1), 0);
  return timestamp !== undefined && formatTimestamp(timestamp) === text ? timestamp : undefined;
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
  const total = timestamp.seconds * NANOS_PER_SECOND + BigInt(timestamp.nanos);
  let seconds = total / NANOS_PER_SECOND;
  let nanos = total % NANOS_PER_SECOND;
  if (nanos < 0n) {
    nanos += NANOS_PER_SECOND;
    seconds -= 1n;
  }
  let days = seconds / SECONDS_PER_DAY;
  let secondOfDay = seconds % SECONDS_PER_DAY;
  if (secondOfDay < 0n) {
    secondOfDay += SECONDS_PER_DAY;
    days -= 1n;
  }
  const { year, month, day } = civilFromDays(Number(days));
  const sod = Number(secondOfDay);
  const yearText = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  const time = `${pad(Math.floor(sod / 3600), 2)}:${pad(Math.floor(sod / 60) % 60, 2)}:${pad(sod % 60, 2)}`;
  const fraction = nanos === 0n ? "" : `.${nanos.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${yearText}-${pad(month, 2)}-${pad(day, 2)}T${time}${fraction}Z`;
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
