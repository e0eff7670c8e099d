import type { Dialect, RenderedQuery, SqlValue } from "../../mau/dialect.js";
import { type SqlRunner, SqlUsageQueries } from "../../mau/sql-usage-queries.js";
import { checkTimestreamRollup } from "./rollup-state.js";
import { timestreamDialect } from "./timestream-dialect.js";
import { TimestreamQuerier, type TimestreamQueryOptions } from "./timestream-query.js";
import { type TimestreamTable, type TimestreamTables, timestreamTables } from "./timestream-tables.js";

/** The tables: `database`, `table` and `rollupTable` (default `${table}_daily`), as the sink writes them. */
export interface TimestreamUsageQueriesOptions extends TimestreamTable, TimestreamQueryOptions {}

/**
 * UsageQueries on Timestream for LiveAnalytics (`timestream:DATABASE/TABLE[,ROLLUP_TABLE]`, the tables the
 * Timestream sink writes), through Timestream Query: MAU from the daily activity table, usage reports
 * from the table. Results are read page by page until no NextToken is left (a page may
 * be empty while the query still runs). The SDK's own retries handle throttling and 5xx; what remains is
 * translated into DomainErrors. Monthly and rolling MAU are refused (FailedPreconditionError) while the
 * rollup is incomplete: being built from the stored events by the sink, or never built over events stored
 * before it (rollup-state.ts).
 *
 * A column Timestream has never seen does not exist in its flexible schema: a table without a single
 * usage report (or a daily activity table without any record that has a protocol, that is, no event with
 * a user and a protocol) cannot answer the queries that read those columns, and says so as
 * FailedPreconditionError.
 */
export class TimestreamUsageQueries extends SqlUsageQueries {
  constructor(options: TimestreamUsageQueriesOptions) {
    super(new TimestreamRunner(options));
  }
}

class TimestreamRunner implements SqlRunner {
  readonly dialect: Dialect;
  private readonly querier: TimestreamQuerier;
  private readonly tables: TimestreamTables;
  /** Set once a complete state record was read: a finished build never starts again. */
  private rollupComplete = false;

  constructor(options: TimestreamUsageQueriesOptions) {
    this.dialect = timestreamDialect(options);
    this.tables = timestreamTables(options);
    this.querier = new TimestreamQuerier(
      options,
      `${this.tables.database}/${this.tables.table} or ${this.tables.database}/${this.tables.rollupTable}`,
    );
  }

  run(query: RenderedQuery, signal?: AbortSignal): Promise<SqlValue[][]> {
    return this.querier.rows(query, signal);
  }

  /** Refuses while the sink's rollup backfill has days left, or has never run over stored events. */
  async checkRollup(signal?: AbortSignal): Promise<void> {
    if (this.rollupComplete) return;
    this.rollupComplete = await checkTimestreamRollup(this.querier, this.tables, signal);
  }

  close(): Promise<void> {
    this.querier.close();
    return Promise.resolve();
  }
}
