/**
 * Child process for the backfill interruption test: opens a DuckDB sink (which builds the daily activity
 * rollup in the background), logging JSON to stderr with a progress line after every day, and keeps it
 * open until killed. Usage: tsx backfill-child.ts DB_PATH
 */
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { createLogger } from "../../../src/observability/logger.js";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: backfill-child.ts DB_PATH");
await DuckDbSink.open(path, { logger: createLogger({ level: "info" }), backfill: { progressIntervalMs: 0 } });
process.stdin.resume();
