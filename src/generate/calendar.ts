/** UTC calendar arithmetic and Teleport's time format, for the generator. */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A calendar month as "YYYY-MM", UTC. */
export type MonthText = string;

/** Epoch milliseconds of 00:00Z on the first day of `year`/`month` (1..12; overflow rolls over). */
export function monthStartMs(year: number, month: number): number {
  return Date.UTC(year, month - 1, 1);
}

/** "YYYY-MM" of an epoch-milliseconds time. */
export function monthOf(ms: number): MonthText {
  return new Date(ms).toISOString().slice(0, 7);
}

/**
 * Teleport's spelling of a time (Go's RFC3339Nano in UTC): the fraction's trailing zeros trimmed and no
 * fraction for a whole second, e.g. "2026-09-03T14:22:05.64Z". Millisecond precision.
 */
export function formatTeleportTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  const millis = ms - Math.floor(ms / 1000) * 1000;
  if (millis === 0) return `${iso.slice(0, 19)}Z`;
  return `${iso.slice(0, 23).replace(/0+$/, "")}Z`;
}
