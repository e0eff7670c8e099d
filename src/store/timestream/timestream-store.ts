import type { SinkSpec } from "../sink-spec.js";
import { type StoreBackend, storeOver } from "../store.js";
import { TimestreamSink, type TimestreamSinkOptions } from "./timestream-sink.js";
import { TimestreamUsageQueries, type TimestreamUsageQueriesOptions } from "./timestream-usage-queries.js";
import type { TimestreamTable } from "./timestream-tables.js";

/** Options the opener hands this backend: the Timestream settings and the ones every sink shares. */
export interface TimestreamStoreOptions extends Pick<TimestreamSinkOptions, "logger" | "registry"> {
  timestream?: Omit<TimestreamSinkOptions, "database" | "table" | "rollupTable" | "logger" | "registry">;
}

/**
 * `timestream:DATABASE/TABLE[,ROLLUP_TABLE]`: both tables must exist (the rollup table's default name is
 * `TABLE_daily`). Writes go through Timestream Write; the queries, with the store or alone, through a
 * Timestream Query client of their own with the same region, endpoint and credentials.
 */
export const timestreamStore: StoreBackend<
  Extract<SinkSpec, { kind: "timestream" }>,
  TimestreamStoreOptions,
  { timestream?: Omit<TimestreamUsageQueriesOptions, "database" | "table" | "rollupTable"> }
> = {
  open(spec, options) {
    const settings = options.timestream ?? {};
    const sink = TimestreamSink.open({
      ...settings,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...tablesOf(spec),
    });
    const queries = {
      ...(settings.region === undefined ? {} : { region: settings.region }),
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
      ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    };
    return Promise.resolve(
      storeOver(sink, () => timestreamStore.openUsageQueries(spec, { timestream: queries })),
    );
  },
  openUsageQueries: (spec, options) =>
    Promise.resolve(new TimestreamUsageQueries({ ...options.timestream, ...tablesOf(spec) })),
};

function tablesOf(spec: Extract<SinkSpec, { kind: "timestream" }>): TimestreamTable {
  return {
    database: spec.database,
    table: spec.table,
    ...(spec.rollupTable === undefined ? {} : { rollupTable: spec.rollupTable }),
  };
}
