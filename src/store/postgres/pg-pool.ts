import pg from "pg";
import type { Logger } from "../../observability/logger.js";

export interface PgPoolOptions {
  /** Connections the pool may open; default 4. */
  maxConnections?: number;
  /** How long to wait for a connection before failing; default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Reported in pg_stat_activity; default "tenant-events". */
  applicationName?: string;
}

const INT8_OID = 20;

/**
 * A pool for a `postgres://` URL with the settings the sink and the query layer rely on: BIGINT read
 * as bigint (never a lossy number), and `synchronous_commit` on for every connection, so a COMMIT
 * returns only once its WAL is flushed, whatever the database's default. (PgBouncer refuses startup
 * parameters it does not know unless told to ignore them; behind it, keep the server's default on.)
 */
export function createPgPool(
  url: string,
  options: PgPoolOptions & { readOnly?: boolean },
  logger: Logger,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? "tenant-events",
    // Startup parameters, so they hold from the connection's first statement on.
    options: `-c synchronous_commit=on${options.readOnly === true ? " -c default_transaction_read_only=on" : ""}`,
    types: bigintTypes(),
  });
  // An idle pooled connection that fails (server restart) is dropped by the pool; say so only.
  pool.on("error", (err) => logger.warn({ err }, "postgres: idle connection failed"));
  return pool;
}

/** The default parsers, except BIGINT as bigint. */
function bigintTypes(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, "text", (value: string) => BigInt(value));
  return types;
}
