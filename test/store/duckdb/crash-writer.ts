/**
 * Child process for the crash test: writes large batches to a DuckDB sink until it is killed, printing
 * `writing N` as batch N is handed to the sink and `acked N` once the sink acknowledges it.
 * Usage: tsx crash-writer.ts DB_PATH BATCH_SIZE FIRST_BATCH
 */
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { sampleEvents } from "../sample-events.js";

const [path, batchSizeArg, firstBatchArg] = process.argv.slice(2);
if (path === undefined || batchSizeArg === undefined || firstBatchArg === undefined) {
  throw new Error("usage: crash-writer.ts DB_PATH BATCH_SIZE FIRST_BATCH");
}
const batchSize = Number(batchSizeArg);
const sink = await DuckDbSink.open(path);
for (let batch = Number(firstBatchArg); ; batch++) {
  // Users of this batch only, and some events without one, so the batch's rollup rows are its own.
  const events = sampleEvents(`b${batch}`, batchSize, "2024-03-05T23:30:00.000Z").map((e, i) => ({
    ...e,
    user: i % 10 === 0 ? "" : `b${batch}-${e.user}`,
  }));
  process.stdout.write(`writing ${batch}\n`);
  await sink.write("crash", events);
  process.stdout.write(`acked ${batch}\n`);
}
