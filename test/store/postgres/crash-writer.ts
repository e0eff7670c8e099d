/**
 * Child process for the crash test: writes large batches to a PostgreSQL sink until it is killed,
 * printing `writing N` as batch N is handed to the sink and `acked N` once the sink acknowledges it.
 * Usage: tsx crash-writer.ts URL BATCH_SIZE FIRST_BATCH
 */
import { PostgresSink } from "../../../src/store/postgres/postgres-sink.js";
import { sampleEvents } from "../sample-events.js";

const [url, batchSizeArg, firstBatchArg] = process.argv.slice(2);
if (url === undefined || batchSizeArg === undefined || firstBatchArg === undefined) {
  throw new Error("usage: crash-writer.ts URL BATCH_SIZE FIRST_BATCH");
}
const batchSize = Number(batchSizeArg);
const sink = await PostgresSink.open(url);
for (let batch = Number(firstBatchArg); ; batch++) {
  // Two months per batch, so a batch spans two partitions; users of this batch only, and some events
  // without one, so the batch's rollup rows are its own.
  const events = sampleEvents(
    `b${batch}`,
    batchSize,
    batch % 2 === 0 ? "2024-03-31T23:30:00.000Z" : "2024-04-30T23:30:00.000Z",
  ).map((e, i) => ({ ...e, user: i % 10 === 0 ? "" : `b${batch}-${e.user}` }));
  process.stdout.write(`writing ${batch}\n`);
  await sink.write("crash", events);
  process.stdout.write(`acked ${batch}\n`);
}
