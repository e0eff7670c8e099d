import { InvalidArgumentError } from "../../errors/errors.js";

/** Timestream database and table names: 3..256 letters, digits, '_', '-' and '.'. */
const TIMESTREAM_NAME = /^[A-Za-z0-9_.-]{3,256}$/;

/** Appended to the events table's name to name the daily activity table when none is given. */
export const ROLLUP_TABLE_SUFFIX = "_daily";

/** Where a Timestream store lives, as given: the rollup table may be left to its default. */
export interface TimestreamTable {
  database: string;
  /** Events and usage reports. */
  table: string;
  /** The daily activity rollup, a second table of `database`; default `${table}_daily`. */
  rollupTable?: string;
}

/** The tables a Timestream store reads and writes, names checked. */
export interface TimestreamTables {
  database: string;
  table: string;
  rollupTable: string;
}

/**
 * Resolves the rollup table's default and checks every name (Timestream's pattern, and the rollup table
 * distinct from the events table: they hold records of different shape and retention needs).
 */
export function timestreamTables(target: TimestreamTable): TimestreamTables {
  const rollupTable = target.rollupTable ?? `${target.table}${ROLLUP_TABLE_SUFFIX}`;
  for (const [what, name] of [
    ["database", target.database],
    ["table", target.table],
    ["daily activity table", rollupTable],
  ] as const) {
    if (!TIMESTREAM_NAME.test(name)) {
      const hint =
        what === "daily activity table" && target.rollupTable === undefined
          ? ` (by default the table's name plus "${ROLLUP_TABLE_SUFFIX}"; name it with timestream:DATABASE/TABLE,ROLLUP_TABLE)`
          : "";
      throw new InvalidArgumentError(
        `Timestream ${what} name must be 3 to 256 letters, digits, '_', '-' or '.'${hint}`,
      );
    }
  }
  if (rollupTable === target.table) {
    throw new InvalidArgumentError(
      `the Timestream daily activity table must be another table than ${target.table}`,
    );
  }
  return { database: target.database, table: target.table, rollupTable };
}
