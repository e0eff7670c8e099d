import { dayOf, monthOf, monthStart } from "../mau/calendar.js";
import { microsToMillis } from "./timestamp.js";

/**
 * Keys of rows known to be committed to a table that keeps its rows once written, so a writer can skip
 * them instead of having `ON CONFLICT DO NOTHING` find them again. Holds at most `limit` keys in two
 * generations: when the newer one fills up (half the limit) the older is dropped, so the keys seen
 * lately stay known. Forgetting a key costs only the skipped work, never a row.
 */
export class RecordedKeys {
  private current = new Set<string>();
  private previous = new Set<string>();
  private readonly generation: number;

  /** `limit`: default 100 000 (about 20 MB of rollup keys). */
  constructor(limit = 100_000) {
    this.generation = Math.max(1, Math.floor(limit / 2));
  }

  has(key: string): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  /** Call only once the rows are committed. */
  addAll(keys: Iterable<string>): void {
    for (const key of keys) {
      if (this.current.has(key)) continue;
      if (this.current.size >= this.generation) {
        this.previous = this.current;
        this.current = new Set();
      }
      this.current.add(key);
    }
  }
}

/** The start of the UTC day an instant in epoch microseconds falls in, in epoch microseconds. */
export function utcDayStartMicros(micros: bigint): bigint {
  return BigInt(dayOf(Number(microsToMillis(micros)))) * 1000n;
}

/** The start of the UTC month an instant in epoch microseconds falls in, in epoch microseconds. */
export function utcMonthStartMicros(micros: bigint): bigint {
  return BigInt(monthStart(monthOf(Number(microsToMillis(micros)))).getTime()) * 1000n;
}

/**
 * The key of an activity rollup row, for RecordedKeys: its five columns, the period's start (a day's or
 * a month's) in microseconds.
 */
export function rollupKey(
  tenant: string,
  periodMicros: bigint,
  userKind: number,
  protocol: string,
  user: string,
): string {
  // The lengths make it injective whatever the text holds.
  return `${tenant.length}:${tenant}${periodMicros}|${userKind}|${protocol.length}:${protocol}${user}`;
}
