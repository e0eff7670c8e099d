import { type DuckDBConnection, DuckDBInstance, DuckDBTypeId } from "@duckdb/node-api";
import {
  type DomainError,
  FailedPreconditionError,
  InternalError,
  isDomainError,
  NotFoundError,
  UnavailableError,
} from "../../errors/errors.js";
import type { DuckDbSink } from "./duckdb-sink.js";
import { checkRollupComplete } from "./rollup-backfill.js";
import { currentVersion, SCHEMA_VERSION } from "./schema.js";
import { SerialQueue } from "./serial-queue.js";
import { type MonthRange, parseMonth } from "../../mau/calendar.js";
import type { RenderedQuery, SqlValue } from "../../mau/dialect.js";
import type { QueryOptions } from "../../mau/usage-queries.js";
import { duckDbDialect } from "./duckdb-dialect.js";
import { type SqlRunner, SqlUsageQueries } from "../../mau/sql-usage-queries.js";

/**
 * UsageQueries on the DuckDB sink's database, either opened read-only from its file (`open`; DuckDB
 * locks a file against other processes while a writer has it open, so this works once the tenants
 * service has stopped) or through a running sink's query connection (`fromSink`, in one process).
 */
export class DuckDbUsageQueries extends SqlUsageQueries {
  private constructor(private readonly duckDb: DuckDbRunner) {
    super(duckDb);
  }

  /** Opens the file read-only and checks it is a tenant-events database this build can read. */
  static async open(path: string): Promise<DuckDbUsageQueries> {
    let instance: DuckDBInstance | undefined;
    let connection: DuckDBConnection | undefined;
    try {
      instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
      connection = await instance.connect();
      await checkSchema(connection, path);
    } catch (err) {
      connection?.closeSync();
      instance?.closeSync();
      throw translateOpenError(path, err);
    }
    const opened = { instance, connection };
    return new DuckDbUsageQueries(
      new DuckDbRunner(connection, () => {
        opened.connection.closeSync();
        opened.instance.closeSync();
      }),
    );
  }

  /** Queries through the sink's read connection; closing this leaves the sink open. */
  static async fromSink(sink: DuckDbSink): Promise<DuckDbUsageQueries> {
    return new DuckDbUsageQueries(new DuckDbRunner(await sink.queryConnection(), () => undefined));
  }

  /**
   * The first and last month (UTC) with activity (events with a user), undefined when there is none.
   * Read from the daily activity rollup: the months a MAU query can report users for (events without a
   * user count in no MAU), still there once raw events are expired, and far fewer rows to scan.
   */
  async activityMonths(options: QueryOptions = {}): Promise<MonthRange | undefined> {
    const [row] = await this.duckDb.run(ACTIVITY_MONTHS, options.signal);
    const [from, to] = row ?? [];
    if (typeof from !== "string" || typeof to !== "string") return undefined;
    return { from: parseMonth(from), to: parseMonth(to) };
  }
}

const ACTIVITY_MONTHS: RenderedQuery = {
  sql:
    "SELECT strftime(min(time) AT TIME ZONE 'UTC', '%Y-%m') AS first_month, " +
    "strftime(max(time) AT TIME ZONE 'UTC', '%Y-%m') AS last_month FROM daily_activity",
  params: [],
  columns: [
    { name: "first_month", type: "varchar" },
    { name: "last_month", type: "varchar" },
  ],
};

class DuckDbRunner implements SqlRunner {
  readonly dialect = duckDbDialect;
  private readonly queue = new SerialQueue();
  private closed = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly release: () => void,
  ) {}

  run(query: RenderedQuery, signal?: AbortSignal): Promise<SqlValue[][]> {
    return this.queue.run(async () => {
      if (this.closed) throw new UnavailableError("the usage queries are closed");
      signal?.throwIfAborted();
      const interrupt = () => this.connection.interrupt();
      signal?.addEventListener("abort", interrupt, { once: true });
      try {
        const reader = await this.connection.runAndReadAll(query.sql, [...query.params]);
        const names = reader.columnNames();
        const types = reader.columnTypes();
        query.columns.forEach((column, i) => {
          const typeId = types[i]?.typeId;
          const expected = column.type === "bigint" ? DuckDBTypeId.BIGINT : DuckDBTypeId.VARCHAR;
          if (names[i] !== column.name || typeId !== expected) {
            throw new InternalError(
              `usage query column ${i} is ${names[i]} (${String(typeId)}), expected ${column.name} (${column.type})`,
            );
          }
        });
        return reader.getRows().map((row) => row.map(toSqlValue));
      } catch (err) {
        signal?.throwIfAborted();
        if (isDomainError(err)) throw err;
        throw new InternalError("the DuckDB usage query failed", { cause: err });
      } finally {
        signal?.removeEventListener("abort", interrupt);
      }
    });
  }

  /** Refuses while the sink's rollup backfill has days left, or the file predates the rollup. */
  checkRollup(signal?: AbortSignal): Promise<void> {
    return this.queue.run(async () => {
      if (this.closed) throw new UnavailableError("the usage queries are closed");
      signal?.throwIfAborted();
      try {
        await checkRollupComplete(this.connection);
      } catch (err) {
        if (isDomainError(err)) throw err;
        throw new InternalError("cannot read the DuckDB daily activity rollup's state", { cause: err });
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    this.release();
  }
}

function toSqlValue(value: unknown): SqlValue {
  if (value === null || typeof value === "string" || typeof value === "bigint") return value;
  throw new InternalError(`unexpected DuckDB value of type ${typeof value}`);
}

async function checkSchema(connection: DuckDBConnection, path: string): Promise<void> {
  const reader = await connection.runAndReadAll(
    "SELECT count(*)::INTEGER FROM information_schema.tables WHERE table_name IN ('schema_version', 'events', 'usage_reports')",
  );
  if (reader.getRows()[0]?.[0] !== 3) {
    throw new FailedPreconditionError(`DuckDB database ${path} holds no tenant-events sink data`);
  }
  const version = await currentVersion(connection);
  if (version > SCHEMA_VERSION) {
    throw new FailedPreconditionError(
      `DuckDB database ${path} has schema version ${version}, newer than this build reads (${SCHEMA_VERSION})`,
    );
  }
}

function translateOpenError(path: string, err: unknown): DomainError {
  if (isDomainError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/lock/i.test(message)) {
    return new FailedPreconditionError(
      `DuckDB database ${path} is open in another process (the tenants service?); query it once that process has stopped`,
      { cause: err },
    );
  }
  if (/does not exist|no such file|cannot open file/i.test(message)) {
    return new NotFoundError(`DuckDB database ${path} does not exist`, { cause: err });
  }
  return new InternalError(`cannot open DuckDB database ${path}: ${message}`, { cause: err });
}
