import type { MonthRange } from "../mau/calendar.js";
import type { UsageQueries } from "../mau/usage-queries.js";
import type { Sink } from "./sink.js";
import type { SinkSpec } from "./sink-spec.js";

/**
 * One backend's storage, both sides: the sink the tenants service writes through and the usage queries
 * over what it stored, in one process.
 */
export interface Store {
  readonly sink: Sink;
  /**
   * UsageQueries through the sink's own connection (they see committed batches only); opened on the
   * first call, the same object after, closed with the store.
   */
  queries(): Promise<UsageQueries>;
  /**
   * The first and last month (UTC) with activity (events with a user), undefined when there is none.
   * Present only where the backend answers it cheaply (DuckDB, from its daily activity rollup).
   */
  readonly activityMonths?: () => Promise<MonthRange | undefined>;
  /** Closes the queries, if opened, then the sink. */
  close(): Promise<void>;
}

/**
 * What a backend folder gives the opener (open-store.ts) for its kind of `--sink` spec. Each backend reads
 * only the options it knows from the opener's options objects.
 */
export interface StoreBackend<S extends SinkSpec, StoreOptions, QueriesOptions> {
  /** Opens the sink (creating and migrating where the backend does), with queries through it. */
  open(spec: S, options: StoreOptions): Promise<Store>;
  /** Queries alone, for a process that does not write (the `mau` command). */
  openUsageQueries(spec: S, options: QueriesOptions): Promise<UsageQueries>;
}

/**
 * A Store over an open sink: `openQueries` runs once, on the first `queries()` call; `close` closes the
 * queries before the sink they read through. `extra` adds what the backend answers besides, given the
 * same queries.
 */
export function storeOver<Q extends UsageQueries>(
  sink: Sink,
  openQueries: () => Promise<Q>,
  extra: (queries: () => Promise<Q>) => Pick<Store, "activityMonths"> = () => ({}),
): Store {
  let opened: Promise<Q> | undefined;
  const queries = () => (opened ??= openQueries());
  return {
    ...extra(queries),
    sink,
    queries,
    close: async () => {
      const open = opened;
      opened = undefined;
      try {
        if (open !== undefined) await (await open.catch(() => undefined))?.close();
      } finally {
        await sink.close();
      }
    },
  };
}
