import {
  QueryCommand,
  type QueryCommandOutput,
  type Row,
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
import type { RenderedQuery, SqlValue } from "../../mau/dialect.js";
import { isRetryable } from "./timestream-retry.js";
import { checkColumns, parseRow } from "./timestream-rows.js";

/** How to reach Timestream Query. */
export interface TimestreamQueryOptions {
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
 * A Timestream Query client that reads results page by page until no NextToken is left (a page may be
 * empty while the query still runs), checks each page's columns against the query's, and translates
 * what the SDK's own retries (throttling, 5xx) leave into DomainErrors naming `name`.
 */
export class TimestreamQuerier {
  private readonly client: TimestreamQueryClient;

  constructor(
    private readonly options: TimestreamQueryOptions,
    /** The table(s) queried, as errors name them. */
    private readonly name: string,
  ) {
    this.client = new TimestreamQueryClient({
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
  }

  /** Every row of the query, in column order. */
  async rows(query: RenderedQuery, signal?: AbortSignal): Promise<SqlValue[][]> {
    const rows: SqlValue[][] = [];
    for await (const page of this.pages(query, signal)) rows.push(...page);
    return rows;
  }

  /** The rows a page at a time, so a caller that handles each page holds one page at most. */
  async *pages(query: RenderedQuery, signal?: AbortSignal): AsyncGenerator<SqlValue[][]> {
    for await (const page of this.rawPages(query.sql, signal)) {
      if ((page.Rows ?? []).length > 0 || page.ColumnInfo !== undefined)
        checkColumns(query.columns, page.ColumnInfo);
      yield (page.Rows ?? []).map((row) => parseRow(query.columns, row));
    }
  }

  /**
   * The first value of every row, as text, whatever the columns are called: for metadata statements
   * (DESCRIBE) whose column names are Timestream's, not ours.
   */
  async firstValues(sql: string, signal?: AbortSignal): Promise<string[]> {
    const values: string[] = [];
    for await (const page of this.rawPages(sql, signal)) {
      for (const row of page.Rows ?? []) values.push(firstScalar(row));
    }
    return values;
  }

  close(): void {
    this.client.destroy();
  }

  private async *rawPages(sql: string, signal?: AbortSignal): AsyncGenerator<QueryCommandOutput> {
    let nextToken: string | undefined;
    do {
      signal?.throwIfAborted();
      let page: QueryCommandOutput;
      try {
        page = await this.client.send(
          new QueryCommand({
            QueryString: sql,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
            ...(this.options.pageSize === undefined ? {} : { MaxRows: this.options.pageSize }),
          }),
          signal === undefined ? {} : { abortSignal: signal },
        );
      } catch (err) {
        signal?.throwIfAborted();
        throw this.translate(err);
      }
      yield page;
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
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

function firstScalar(row: Row): string {
  const value = row.Data?.[0]?.ScalarValue;
  if (value === undefined) throw new InternalError("Timestream answered a metadata row without a value");
  return value;
}
