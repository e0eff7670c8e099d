/**
 * Teleport's file audit log keeps one file per UTC day, named `YYYY-MM-DD.log`. Names sort in date order,
 * which is the order of the log (its lineage): only the newest file grows.
 */

const DAY_FILE = /^(\d{4})-(\d{2})-(\d{2})\.log$/;

/** True for a day-file name of a real calendar date, e.g. "2026-09-01.log". */
export function isDayFileName(name: string): boolean {
  const m = DAY_FILE.exec(name);
  if (!m) return false;
  return isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** The day file that holds events of the given UTC day ("2026-09-01" → "2026-09-01.log"). */
export function dayFileName(day: string): string {
  return `${day}.log`;
}

// RFC 3339 date-time: a "T" (or space or "t") between date and time, optional fraction of any length, and
// "Z" or a numeric offset.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * The UTC day ("YYYY-MM-DD") of an RFC 3339 timestamp, or undefined when it is not one (or falls outside
 * years 0000–9999). Parsed by hand: Date.parse accepts non-RFC 3339 forms and rounds nanoseconds, and only
 * the day matters here.
 */
export function utcDayOf(time: string): string | undefined {
  const m = RFC3339.exec(time);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMinutes = 0;
  if (m[7] === undefined) {
    const offsetHours = Number(m[9]);
    const offsetMins = Number(m[10]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[8] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // A leap second (:60) belongs to the minute it ends, not the next one.
  const local = utcMillis(year, month, day) + ((hour * 60 + minute) * 60 + Math.min(second, 59)) * 1000;
  const utc = new Date(local - offsetMinutes * 60_000);
  const y = utc.getUTCFullYear();
  if (y < 0 || y > 9999) return undefined;
  return `${pad(y, 4)}-${pad(utc.getUTCMonth() + 1, 2)}-${pad(utc.getUTCDate(), 2)}`;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(utcMillis(year, month, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

// Date.UTC maps years 0–99 to 1900–1999, so set the full year explicitly.
function utcMillis(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}
