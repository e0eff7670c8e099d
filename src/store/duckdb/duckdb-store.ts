import type { SinkSpec } from "../sink-spec.js";
import { type StoreBackend, storeOver } from "../store.js";
import { DuckDbSink, type DuckDbSinkOptions } from "./duckdb-sink.js";
import { DuckDbUsageQueries } from "./duckdb-usage-queries.js";

/**
 * `duckdb:PATH`: the sink creates and migrates the file; its queries share the sink's instance. Alone,
 * the queries open the file read-only, which DuckDB allows only while no other process has it open.
 */
export const duckDbStore: StoreBackend<Extract<SinkSpec, { kind: "duckdb" }>, DuckDbSinkOptions, unknown> = {
  async open(spec, options) {
    const sink = await DuckDbSink.open(spec.path, {
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    return storeOver(
      sink,
      () => DuckDbUsageQueries.fromSink(sink),
      (queries) => ({ activityMonths: async () => (await queries()).activityMonths() }),
    );
  },
  openUsageQueries: (spec) => DuckDbUsageQueries.open(spec.path),
};
