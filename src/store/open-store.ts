import type { UsageQueries } from "../mau/usage-queries.js";
import { duckDbStore } from "./duckdb/duckdb-store.js";
import { postgresStore, type PostgresStoreOptions } from "./postgres/postgres-store.js";
import type { Sink } from "./sink.js";
import { parseSinkSpec, type SinkSpec } from "./sink-spec.js";
import type { Store, StoreBackend } from "./store.js";
import { timestreamStore, type TimestreamStoreOptions } from "./timestream/timestream-store.js";
import type { PostgresUsageQueriesOptions } from "./postgres/postgres-usage-queries.js";
import type { TimestreamUsageQueriesOptions } from "./timestream/timestream-usage-queries.js";

export interface OpenStoreOptions extends PostgresStoreOptions, TimestreamStoreOptions {}

export interface OpenUsageQueriesOptions {
  /** Timestream settings besides the tables (endpoint, region, credentials, page size). */
  timestream?: Omit<TimestreamUsageQueriesOptions, "database" | "table" | "rollupTable">;
  /** PostgreSQL settings besides the URL (pool size, timeouts, logger). */
  postgres?: PostgresUsageQueriesOptions;
}

/** The backends by `--sink` kind: a new backend is its folder, its spec in sink-spec.ts and a line here. */
const BACKENDS: {
  [K in SinkSpec["kind"]]: StoreBackend<
    Extract<SinkSpec, { kind: K }>,
    OpenStoreOptions,
    OpenUsageQueriesOptions
  >;
} = {
  duckdb: duckDbStore,
  postgres: postgresStore,
  timestream: timestreamStore,
};

/** Every kind of `--sink` the opener accepts. */
export const SINK_KINDS = Object.keys(BACKENDS) as readonly SinkSpec["kind"][];

function backendOf<S extends SinkSpec>(spec: S): StoreBackend<S, OpenStoreOptions, OpenUsageQueriesOptions> {
  // TypeScript cannot correlate BACKENDS[spec.kind] with spec's own kind; the mapped type above checks it.
  return BACKENDS[spec.kind] as unknown as StoreBackend<S, OpenStoreOptions, OpenUsageQueriesOptions>;
}

/**
 * Opens the store a `--sink` value names, both sides: the sink and queries through it. `duckdb:PATH`
 * (created and migrated on open), `timestream:DATABASE/TABLE[,ROLLUP_TABLE]` (both tables must exist)
 * or `postgres://…` (schema created and migrated on open).
 */
export async function openStore(spec: string | SinkSpec, options: OpenStoreOptions = {}): Promise<Store> {
  const parsed = typeof spec === "string" ? parseSinkSpec(spec) : spec;
  return backendOf(parsed).open(parsed, options);
}

/** The write side alone of the store `spec` names (see openStore); closing the sink closes it all. */
export async function openSink(spec: string | SinkSpec, options: OpenStoreOptions = {}): Promise<Sink> {
  return (await openStore(spec, options)).sink;
}

/**
 * UsageQueries alone over the store a `--sink` value names, for a process that does not write:
 * `duckdb:PATH` (opened read-only; the file must exist and not be open in another process),
 * `timestream:DATABASE/TABLE[,ROLLUP_TABLE]` or `postgres://…` (read-only sessions; the tenants service
 * may be writing meanwhile).
 */
export async function openUsageQueries(
  spec: string | SinkSpec,
  options: OpenUsageQueriesOptions = {},
): Promise<UsageQueries> {
  const parsed = typeof spec === "string" ? parseSinkSpec(spec) : spec;
  return backendOf(parsed).openUsageQueries(parsed, options);
}
