import type { SinkSpec } from "../sink-spec.js";
import { type StoreBackend, storeOver } from "../store.js";
import { PostgresSink, type PostgresSinkOptions } from "./postgres-sink.js";
import { PostgresUsageQueries, type PostgresUsageQueriesOptions } from "./postgres-usage-queries.js";

/** Options the opener hands this backend: the PostgreSQL settings and the ones every sink shares. */
export interface PostgresStoreOptions extends Pick<PostgresSinkOptions, "now" | "logger" | "registry"> {
  postgres?: Omit<PostgresSinkOptions, "now" | "logger" | "registry">;
}

/**
 * `postgres://…`: the sink creates and migrates the schema; its queries share the sink's pool. Alone, the
 * queries use read-only sessions of their own, so they can run while a tenants service writes.
 */
export const postgresStore: StoreBackend<
  Extract<SinkSpec, { kind: "postgres" }>,
  PostgresStoreOptions,
  { postgres?: PostgresUsageQueriesOptions }
> = {
  async open(spec, options) {
    const sink = await PostgresSink.open(spec.url, {
      ...options.postgres,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    return storeOver(sink, () => Promise.resolve(PostgresUsageQueries.fromSink(sink)));
  },
  openUsageQueries: (spec, options) => PostgresUsageQueries.open(spec.url, options.postgres),
};
