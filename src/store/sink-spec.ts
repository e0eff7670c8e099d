import { InvalidArgumentError } from "../errors/errors.js";

/** Where the tenants service stores records, parsed from `--sink`. */
export type SinkSpec =
  | { kind: "duckdb"; path: string }
  | {
      kind: "timestream";
      database: string;
      table: string;
      /** The daily activity table, when named; absent, the backend's default (`${table}_daily`). */
      rollupTable?: string;
    }
  | { kind: "postgres"; url: string };

/**
 * The `--sink` form of every backend, in the order help lists them. Typed over every kind, so a new
 * backend cannot be missing here (nor from `BACKENDS` in open-store.ts, typed the same way).
 */
export const SINK_FORMS: Readonly<{ [K in SinkSpec["kind"]]: string }> = {
  duckdb: "duckdb:PATH",
  postgres: "postgres://USER@HOST/DB",
  timestream: "timestream:DATABASE/TABLE",
};

/** Timestream database and table names: 3..256 characters of letters, digits, `_`, `-` and `.`. */
const TIMESTREAM_NAME = /^[A-Za-z0-9_.-]{3,256}$/;

/**
 * Parses `duckdb:PATH` (`duckdb::memory:` for an in-memory database), `timestream:DATABASE/TABLE`
 * (optionally `,ROLLUP_TABLE`, the daily activity table, another table of DATABASE) or `postgres://…` /
 * `postgresql://…`.
 */
export function parseSinkSpec(spec: string): SinkSpec {
  if (spec.startsWith("postgres://") || spec.startsWith("postgresql://")) {
    return { kind: "postgres", url: spec };
  }
  const colon = spec.indexOf(":");
  const scheme = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? "" : spec.slice(colon + 1);
  switch (scheme) {
    case "duckdb":
      if (rest.length === 0)
        throw new InvalidArgumentError(`sink "${spec}": duckdb needs a path, e.g. duckdb:events.duckdb`);
      return { kind: "duckdb", path: rest };
    case "timestream": {
      const parts = rest.split("/");
      const [database, tables] = parts;
      const [table, rollupTable, ...extra] = (tables ?? "").split(",");
      if (parts.length !== 2 || database === undefined || table === undefined || extra.length > 0) {
        throw new InvalidArgumentError(
          `sink "${spec}": expected timestream:DATABASE/TABLE or timestream:DATABASE/TABLE,ROLLUP_TABLE`,
        );
      }
      for (const [what, name] of [
        ["database", database],
        ["table", table],
        ["daily activity table", rollupTable],
      ] as const) {
        if (name !== undefined && !TIMESTREAM_NAME.test(name)) {
          throw new InvalidArgumentError(
            `sink "${spec}": Timestream ${what} name must be 3 to 256 letters, digits, '_', '-' or '.'`,
          );
        }
      }
      return { kind: "timestream", database, table, ...(rollupTable === undefined ? {} : { rollupTable }) };
    }
    default:
      throw new InvalidArgumentError(
        `sink "${spec}": unknown kind; expected duckdb:PATH, timestream:DATABASE/TABLE or postgres://…`,
      );
  }
}

/** The spec back in its `--sink` form (for logs). */
export function formatSinkSpec(spec: SinkSpec): string {
  switch (spec.kind) {
    case "duckdb":
      return `duckdb:${spec.path}`;
    case "timestream":
      return `timestream:${spec.database}/${spec.table}${spec.rollupTable === undefined ? "" : `,${spec.rollupTable}`}`;
    case "postgres":
      return redactPassword(spec.url);
  }
}

/** A connection URL with its password (user-info or `?password=`), if any, replaced by `***`. */
export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***");
    return parsed.toString();
  } catch {
    return "postgres://…";
  }
}
