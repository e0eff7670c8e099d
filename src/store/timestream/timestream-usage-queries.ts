import {
  QueryCommand,
  type QueryCommandOutput,
  TimestreamQueryClient,
  type TimestreamQueryClientConfig,
} from "@aws-sdk/client-timestream-query";
import {
  type DomainError,
  FailedPreconditionError,
  InternalError,
  isDomainError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnavailableError,
} from "../../errors/errors.js";
import { isRetryable } from "./timestream-retry.js";
import type { Dialect, RenderedQuery, SqlValue } from "../../mau/dialect.js";
import { timestreamDialect } from "./timestream-dialect.js";
import { type SqlRunner, SqlUsageQueries } from "../../mau/sql-usage-queries.js";
import { checkColumns, parseRow } from "./timestream-rows.js";
import { type TimestreamTable, timestreamTables } from "./timestream-tables.js";

/** The tables: `database`, `table` and `rollupTable` (default `${table}_daily`), as the sink writes them. */
export interface TimestreamUsageQueriesOptions extends TimestreamTable {
  /** Region; default: the AWS SDK's chain (AWS_REGION, shared config). */
  region?: string;
  /**
   * A custom endpoint URL (tests, VPC endpoints). Default: the SDK's endpoint discovery, which Timestream
   * requires; the SDK skips discovery when an endpoint is given.
   */
  endpoint?: string;
  /** Default: the AWS SDK's credential chain. */
  credentials?: TimestreamQueryClientConfig["credentials"];
  /** Rows per page (MaxRows, 1..1000); default: Timestream's choice. */
  pageSize?: number;
}

/**
 * UsageQueries on Timestream for LiveAnalytics (`timestream:DATABASE/TABLE[,ROLLUP_TABLE]`, the tables the
 * Timestream sink writes), through Timestream Query: MAU from the daily activity table, usage reports
 * from the table. Results are read page by page until no NextToken is left (a page may
 * be empty while the query still runs). The SDK's own retries handle throttling and 5xx; what remains is
 * translated into DomainErrors.
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
  private readonly client: TimestreamQueryClient;
  private readonly name: string;

  constructor(private readonly options: TimestreamUsageQueriesOptions) {
    this.dialect = timestreamDialect(options);
    const tables = timestreamTables(options);
    this.name = `${tables.database}/${tables.table} or ${tables.database}/${tables.rollupTable}`;
    this.client = new TimestreamQueryClient({
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
  }

  async run(query: RenderedQuery, signal?: AbortSignal): Promise<SqlValue[][]> {
    const rows: SqlValue[][] = [];
    let nextToken: string | undefined;
    do {
      signal?.throwIfAborted();
      let page: QueryCommandOutput;
      try {
        page = await this.client.send(
          new QueryCommand({
            QueryString: query.sql,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
            ...(this.options.pageSize === undefined ? {} : { MaxRows: this.options.pageSize }),
          }),
          signal === undefined ? {} : { abortSignal: signal },
        );
      } catch (err) {
        signal?.throwIfAborted();
        throw this.translate(err);
      }
      if ((page.Rows ?? []).length > 0 || page.ColumnInfo !== undefined)
        checkColumns(query.columns, page.ColumnInfo);
      for (const row of page.Rows ?? []) rows.push(parseRow(query.columns, row));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return rows;
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  private translate(err: unknown): DomainError {
    if (isDomainError(err)) return err;
    const name = (err as { name?: unknown } | null)?.name;
    const message = err instanceof Error ? err.message : String(err);
    switch (name) {
      case "ResourceNotFoundException":
        return new NotFoundError(`Timestream table ${this.name} does not exist`, { cause: err });
      case "AccessDeniedException":
        return new PermissionDeniedError(`not allowed to query Timestream table ${this.name}: ${message}`, {
          cause: err,
        });
      case "ValidationException":
        // Query reports a missing database or table as a validation error, not ResourceNotFound.
        if (/\b(database|table)\b.*\b(not found|does not exist)/i.test(message)) {
          return new NotFoundError(`Timestream table ${this.name} does not exist: ${message}`, {
            cause: err,
          });
        }
        return new FailedPreconditionError(
          `Timestream table ${this.name} cannot answer the usage query (does it hold records of this kind yet?): ${message}`,
          { cause: err },
        );
      case "ThrottlingException":
        return new ResourceExhaustedError(`Timestream throttled the usage query on ${this.name}`, {
          cause: err,
        });
    }
    if (isRetryable(err)) {
      return new UnavailableError(`Timestream is unavailable for ${this.name}: ${message}`, { cause: err });
    }
    return new InternalError(`the Timestream usage query on ${this.name} failed: ${message}`, { cause: err });
  }
}
