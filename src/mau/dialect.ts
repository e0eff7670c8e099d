import type { Day } from "./calendar.js";

/** A value as the engines hand results back: VARCHAR as string, BIGINT as bigint, NULL as null. */
export type SqlValue = string | bigint | null;

export type ColumnType = "varchar" | "bigint";

export interface ResultColumn {
  name: string;
  type: ColumnType;
}

/**
 * A statement ready for one engine: its text, its bound parameters ($1…; Timestream has none), its result
 * columns.
 */
export interface RenderedQuery {
  sql: string;
  params: readonly string[];
  columns: readonly ResultColumn[];
}

/**
 * Gives values their place in one statement: a bound parameter where the engine has them, otherwise a
 * checked, quoted literal. Every value that enters SQL goes through a Binder or is a number the renderer
 * made itself.
 */
export interface Binder {
  text(value: string): string;
  /** The parameters bound so far, in $1… order. */
  params(): string[];
}

/** A Binder for engines with positional parameters: each value becomes `$1`, `$2`, … in order. */
export function positionalBinder(): Binder {
  const params: string[] = [];
  return {
    text: (value) => {
      params.push(value);
      return `$${params.length}`;
    },
    params: () => [...params],
  };
}

/** A relation and the condition that selects the rows of one kind from it. */
export interface Source {
  from: string;
  where: string;
}

/**
 * What differs between the engines, and nothing else: the metric definitions (metrics.ts) are written
 * once against this. Column expressions may be used in SELECT, WHERE and GROUP BY of a query over the
 * matching Source.
 */
export interface Dialect {
  readonly name: string;
  binder(): Binder;
  /** Activity events: columns tenant, "user", time plus the expressions below. */
  readonly events: Source;
  /**
   * The daily activity rollup, where the engine keeps one: a row per (tenant, UTC day, user kind,
   * protocol, user) that has an activity event, with the columns of `events` and `time` the day's start
   * (00:00 UTC). Every metric's periods are whole UTC days, so a metric gives the same answer over it as
   * over `events`, reading rows per user and day instead of per event. Absent: the metrics read `events`.
   */
  readonly dailyActivity?: Source;
  /**
   * The same rollup at month grain, where the engine keeps one: a row per (tenant, UTC month, user kind,
   * protocol, user) with `time` the month's start. Monthly MAU reads it (its periods are whole UTC
   * months), else `dailyActivity`.
   */
  readonly monthlyActivity?: Source;
  /** Usage reports: columns tenant, time and one BIGINT column per USAGE_COUNTS name. */
  readonly usageReports: Source;
  /** Boolean: the event's user is a bot (tenants.UserKind USER_KIND_BOT). */
  readonly isBot: string;
  /** The event's protocol, '' when it counts toward none. */
  readonly protocol: string;
  /** The report's cluster, '' when unnamed. */
  readonly cluster: string;
  /** The time column as a UTC timestamp without zone, for date_trunc and calendar comparisons. */
  readonly utcTime: string;
  /** BIGINT milliseconds since the epoch of a UTC timestamp expression. */
  epochMillis(expression: string): string;
  /** An interval of whole days, to add to or subtract from a UTC timestamp. */
  days(count: number): string;
  /** An instant comparable with the raw time column. */
  instant(value: Date, binder: Binder): string;
  /** A relation `calendar(day)` with one row per day (a UTC timestamp at 00:00), `from`..`to` included. */
  dayCalendar(from: Day, to: Day, binder: Binder): string;
}

/** A double-quoted SQL identifier (both engines quote identifiers the standard way). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
