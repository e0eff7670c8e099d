import type { Logger } from "../observability/logger.js";
import type { Registry } from "../observability/metrics.js";
import { DuckDbSink } from "./duckdb/duckdb-sink.js";
import { PostgresSink, type PostgresSinkOptions } from "./postgres/postgres-sink.js";
import type { Sink } from "./sink.js";
import { parseSinkSpec, type SinkSpec } from "./sink-spec.js";
import { TimestreamSink, type TimestreamSinkOptions } from "./timestream/timestream-sink.js";

export interface OpenSinkOptions {
  /** Timestream settings besides database and table (endpoint, region, credentials, …). */
  timestream?: Omit<TimestreamSinkOptions, "database" | "table" | "logger" | "registry">;
  /** PostgreSQL settings besides the URL (pool size, timeouts). */
  postgres?: Omit<PostgresSinkOptions, "now" | "logger" | "registry">;
  /** Clock for DuckDB's and PostgreSQL's received_at; default `() => new Date()`. */
  now?: () => Date;
  /** Default: silentLogger. */
  logger?: Logger;
  /** Registry for sink metrics; default: a private registry. */
  registry?: Registry;
}

/**
 * Opens the sink named by a `--sink` value: `duckdb:PATH` (created and migrated on open),
 * `timestream:DATABASE/TABLE` (the table must exist) or `postgres://…` (schema created and migrated on
 * open). Callers needing DuckDB's connection check `sink instanceof DuckDbSink` and use
 * `queryConnection()`; PostgreSQL's pool is `PostgresSink.queryPool()`.
 */
export async function openSink(spec: string | SinkSpec, options: OpenSinkOptions = {}): Promise<Sink> {
  const parsed = typeof spec === "string" ? parseSinkSpec(spec) : spec;
  const common = {
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  };
  switch (parsed.kind) {
    case "duckdb":
      return DuckDbSink.open(parsed.path, {
        ...common,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
    case "timestream":
      return new TimestreamSink({
        ...options.timestream,
        ...common,
        database: parsed.database,
        table: parsed.table,
      });
    case "postgres":
      return PostgresSink.open(parsed.url, {
        ...options.postgres,
        ...common,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
  }
}
