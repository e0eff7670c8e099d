import { parseSinkSpec, type SinkSpec } from "./sink-spec.js";
import { DuckDbUsageQueries } from "./duckdb/duckdb-usage-queries.js";
import { PostgresUsageQueries, type PostgresUsageQueriesOptions } from "./postgres/postgres-usage-queries.js";
import {
  TimestreamUsageQueries,
  type TimestreamUsageQueriesOptions,
} from "./timestream/timestream-usage-queries.js";
import type { UsageQueries } from "../mau/usage-queries.js";

export interface OpenUsageQueriesOptions {
  /** Timestream settings besides database and table (endpoint, region, credentials, page size). */
  timestream?: Omit<TimestreamUsageQueriesOptions, "database" | "table">;
  /** PostgreSQL settings besides the URL (pool size, timeouts, logger). */
  postgres?: PostgresUsageQueriesOptions;
}

/**
 * UsageQueries over the store a `--sink` value names: `duckdb:PATH` (opened read-only; the file must
 * exist and not be open in another process), `timestream:DATABASE/TABLE` or `postgres://…` (read-only
 * sessions; the tenants service may be writing meanwhile).
 */
export async function openUsageQueries(
  spec: string | SinkSpec,
  options: OpenUsageQueriesOptions = {},
): Promise<UsageQueries> {
  const parsed = typeof spec === "string" ? parseSinkSpec(spec) : spec;
  switch (parsed.kind) {
    case "duckdb":
      return DuckDbUsageQueries.open(parsed.path);
    case "timestream":
      return new TimestreamUsageQueries({
        ...options.timestream,
        database: parsed.database,
        table: parsed.table,
      });
    case "postgres":
      return PostgresUsageQueries.open(parsed.url, options.postgres);
  }
}
