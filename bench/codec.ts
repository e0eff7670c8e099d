import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { formatEvent, parseEvent } from "../src/events/codec.js";
import { OneOf } from "../src/gen/events/events.js";
import type { Bench } from "./harness/bench.js";
import { figure } from "./harness/result.js";
import { nowMs } from "./harness/timing.js";

/**
 * The table-driven JSON codec alone, per event, over the lines of the generated file audit log: JSON text
 * to `events.OneOf` (what the events server does for every event it reads), the protobuf encoding and
 * decoding of that event, and back to JSON text (`stream --json`). Best of several passes after a warm-up.
 */
export const codecBench: Bench = {
  name: "codec",
  async run(context) {
    const events = context.quick ? 50_000 : 300_000;
    const passes = context.quick ? 3 : 5;
    const fixture = await context.fileLog(events);
    const lines: string[] = [];
    for (const name of (await readdir(fixture.dir)).sort()) {
      for (const line of (await readFile(join(fixture.dir, name), "utf8")).split("\n")) {
        if (line !== "") lines.push(line);
      }
    }
    const parsed = lines.map((line) => parseEvent(line));
    const encoded = parsed.map((event) => OneOf.encode(event).finish());
    const perEvent = (body: () => void): number => {
      body();
      let fastest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < passes; i++) {
        const start = nowMs();
        body();
        fastest = Math.min(fastest, nowMs() - start);
      }
      return (fastest * 1000) / lines.length;
    };
    let sink = 0;
    const parse = perEvent(() => {
      for (const line of lines) sink += parseEvent(line).event === undefined ? 0 : 1;
    });
    const encode = perEvent(() => {
      for (const event of parsed) sink += OneOf.encode(event).finish().length;
    });
    const decode = perEvent(() => {
      for (const bytes of encoded) sink += OneOf.decode(bytes).event === undefined ? 0 : 1;
    });
    const format = perEvent(() => {
      for (const event of parsed) sink += formatEvent(event).length;
    });
    if (sink === 0) throw new Error("the codec produced nothing");
    const bytes = encoded.reduce((sum, b) => sum + b.length, 0) / encoded.length;
    const workload = `${lines.length} file-log events, ${bytes.toFixed(0)} B encoded, best of ${passes}`;
    return [
      figure({ name: "codec", workload, unit: "µs/event JSON → OneOf", value: parse }),
      figure({ name: "codec", workload, unit: "µs/event OneOf encode", value: encode }),
      figure({ name: "codec", workload, unit: "µs/event OneOf decode", value: decode }),
      figure({ name: "codec", workload, unit: "µs/event OneOf → JSON", value: format }),
    ];
  },
};
