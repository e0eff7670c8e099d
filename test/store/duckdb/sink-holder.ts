/**
 * Child process for the lock test: opens a DuckDB sink the way the tenants service does, prints `open`,
 * and keeps it open until stdin ends. Usage: tsx sink-holder.ts DB_PATH
 */
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: sink-holder.ts DB_PATH");
const sink = await DuckDbSink.open(path);
process.stdout.write("open\n");
process.stdin.resume();
await new Promise((resolve) => process.stdin.on("end", resolve));
await sink.close();
