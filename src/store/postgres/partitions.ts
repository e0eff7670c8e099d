import { monthOf } from "../../mau/calendar.js";
import { microsToMillis } from "../timestamp.js";

/**
 * The monthly partitions of the PostgreSQL sink's `events` table (PARTITION BY RANGE (time)). Pure: a
 * month is a UTC calendar month; names and bounds are built from integers only, so the DDL needs no
 * quoting of outside values.
 */

/** A UTC calendar month, `month` 1..12. */
export interface PartitionMonth {
  year: number;
  month: number;
}

/** The UTC month an instant (epoch microseconds) falls in. */
export function monthOfMicros(micros: bigint): PartitionMonth {
  return monthOf(Number(microsToMillis(micros)));
}

/** The distinct months of the instants, in calendar order. */
export function monthsOf(micros: Iterable<bigint>): PartitionMonth[] {
  const keys = new Map<number, PartitionMonth>();
  for (const m of micros) {
    const month = monthOfMicros(m);
    keys.set(month.year * 12 + month.month - 1, month);
  }
  return [...keys.entries()].sort(([a], [b]) => a - b).map(([, month]) => month);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** `events_p2024_03`: sorts by month, fits PostgreSQL's 63-byte identifiers. */
export function partitionName(month: PartitionMonth): string {
  return `events_p${pad(month.year, 4)}_${pad(month.month, 2)}`;
}

export function nextMonth(month: PartitionMonth): PartitionMonth {
  return month.month === 12
    ? { year: month.year + 1, month: 1 }
    : { year: month.year, month: month.month + 1 };
}

function monthStartLiteral(month: PartitionMonth): string {
  return `'${pad(month.year, 4)}-${pad(month.month, 2)}-01 00:00:00+00'`;
}

/**
 * Creates the month's partition unless it exists. Bounds carry an explicit UTC offset so the session's
 * TimeZone setting cannot shift them.
 */
export function createPartitionSql(month: PartitionMonth): string {
  if (
    !Number.isInteger(month.year) ||
    !Number.isInteger(month.month) ||
    month.month < 1 ||
    month.month > 12
  ) {
    throw new RangeError(`not a calendar month: ${month.year}-${month.month}`);
  }
  return (
    `CREATE TABLE IF NOT EXISTS ${partitionName(month)} PARTITION OF events ` +
    `FOR VALUES FROM (${monthStartLiteral(month)}) TO (${monthStartLiteral(nextMonth(month))})`
  );
}
