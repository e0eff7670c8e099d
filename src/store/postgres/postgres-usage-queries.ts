import type pg from "pg";
import { FailedPreconditionError, InternalError, UnavailableError } from "../../errors/errors.js";
import { type Logger, silentLogger } from "../../observability/logger.js";
import { translatePgError } from "./pg-errors.js";
import { createPgPool, type PgPoolOptions } from "./pg-pool.js";
import type { PostgresSink } from "./postgres-sink.js";
import { checkRollupComplete } from "./rollup-backfill.js";
import { currentVersion, SCHEMA_VERSION } from "./schema.js";
import { redactPassword } from "../sink-spec.js";
import type { ColumnType, RenderedQuery, SqlValue } from "../../mau/dialect.js";
import { postgresDialect } from "./postgres-dialect.js";
import { type SqlRunner, SqlUsageQueries } from "../../mau/sql-usage-queries.js";

export interface PostgresUsageQueriesOptions extends PgPoolOptions {
  /** Default: silentLogger. */
  logger?: Logger;
}

/** Result column types by type OID: text and varchar read as varchar, int8 as bigint. */
const COLUMN_TYPES: ReadonlyMap<number, ColumnType> = new Map([
  [25, "varchar"],
  [1043, "varchar"],
  [20, "bigint"],
]);

/**
 * UsageQueries on the PostgreSQL sink's database, either from its URL (`open`, read-only sessions; the
 * tenants service may keep writing meanwhile) or through a running sink's pool (`fromSink`, in one
 * process). Queries see committed batches only. An aborted query is cancelled on the server.
 */
export class PostgresUsageQueries extends SqlUsageQueries {
  /** Connects and checks the database holds a tenant-events schema this build can read. */
  static async open(url: string, options: PostgresUsageQueriesOptions = {}): Promise<PostgresUsageQueries> {
    const name = redactPassword(url);
    const pool = createPgPool(
      url,
      { maxConnections: 2, ...options, readOnly: true },
      options.logger ?? silentLogger,
    );
    try {
      await checkSchema(pool, name);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw translatePgError(err, `cannot query the PostgreSQL sink at ${name}`);
    }
    return new PostgresUsageQueries(new PostgresRunner(pool, () => pool.end()));
  }

  /** Queries through the sink's pool; closing this leaves the sink open. */
  static fromSink(sink: PostgresSink): PostgresUsageQueries {
    return new PostgresUsageQueries(new PostgresRunner(sink.queryPool(), () => Promise.resolve()));
  }
}

class PostgresRunner implements SqlRunner {
  readonly dialect = postgresDialect;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly release: () => Promise<void>,
  ) {}

  run(query: RenderedQuery, signal?: AbortSignal): Promise<SqlValue[][]> {
    if (this.closed) return Promise.reject(new UnavailableError("the usage queries are closed"));
    const pending = this.runOnce(query, signal);
    this.inFlight.add(pending);
    void pending.finally(() => this.inFlight.delete(pending)).catch(() => undefined);
    return pending;
  }

  /** Refuses while the sink's rollup backfill has days left, or the schema predates the rollup. */
  async checkRollup(signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new UnavailableError("the usage queries are closed");
    signal?.throwIfAborted();
    try {
      await checkRollupComplete(this.pool);
    } catch (err) {
      throw translatePgError(err, "cannot read the PostgreSQL daily activity rollup's state");
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.release();
  }

  private async runOnce(query: RenderedQuery, signal?: AbortSignal): Promise<SqlValue[][]> {
    signal?.throwIfAborted();
    let client: pg.PoolClient | undefined;
    const cancel = () => {
      const pid = (client as { processID?: number } | undefined)?.processID;
      if (typeof pid === "number") {
        this.pool.query("SELECT pg_cancel_backend($1)", [pid]).catch(() => undefined);
      }
    };
    signal?.addEventListener("abort", cancel, { once: true });
    try {
      client = await this.pool.connect();
      signal?.throwIfAborted();
      const result = await client.query<SqlValue[]>({
        text: query.sql,
        values: [...query.params],
        rowMode: "array",
      });
      query.columns.forEach((column, i) => {
        const field = result.fields[i];
        const type = field === undefined ? undefined : COLUMN_TYPES.get(field.dataTypeID);
        if (field?.name !== column.name || type !== column.type) {
          throw new InternalError(
            `usage query column ${i} is ${field?.name} (type ${field?.dataTypeID}), expected ${column.name} (${column.type})`,
          );
        }
      });
      return result.rows.map((row) => row.map(toSqlValue));
    } catch (err) {
      signal?.throwIfAborted();
      throw translatePgError(err, "the PostgreSQL usage query failed");
    } finally {
      signal?.removeEventListener("abort", cancel);
      client?.release();
    }
  }
}

function toSqlValue(value: unknown): SqlValue {
  if (value === null || typeof value === "string" || typeof value === "bigint") return value;
  throw new InternalError(`unexpected PostgreSQL value of type ${typeof value}`);
}

async function checkSchema(pool: pg.Pool, name: string): Promise<void> {
  const found = await pool.query<{ tables: number }>(
    `SELECT count(*)::int AS tables FROM unnest(ARRAY['schema_version', 'events', 'usage_reports']) AS t(name)
     WHERE to_regclass(t.name) IS NOT NULL`,
  );
  if (found.rows[0]?.tables !== 3) {
    throw new FailedPreconditionError(`PostgreSQL database ${name} holds no tenant-events sink data`);
  }
  const version = await currentVersion(pool);
  if (version > SCHEMA_VERSION) {
    throw new FailedPreconditionError(
      `PostgreSQL database ${name} has schema version ${version}, newer than this build reads (${SCHEMA_VERSION})`,
    );
  }
}
