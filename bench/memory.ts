import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createEventsClient } from "../src/client/events-client.js";
import type { Bench } from "./harness/bench.js";
import { ChildService } from "./harness/child-service.js";
import { figure } from "./harness/result.js";

const MB = 1024 * 1024;
const READ_FIRST = 1000;
const SAMPLE_MS = 250;

/**
 * A client that reads a little and then stops reading while the file audit log holds many more events:
 * the server (a child process) must hold a bounded number of them, whatever the log holds.
 */
export const memoryBench: Bench = {
  name: "memory",
  async run(context) {
    const events = context.quick ? 100_000 : 1_000_000;
    const stallMs = context.quick ? 5_000 : 30_000;
    const fixture = await context.fileLog(events);
    const { service: child, ready } = await ChildService.start(
      join(dirname(fileURLToPath(import.meta.url)), "memory-server.ts"),
      [fixture.dir],
    );
    try {
      const port = (ready as { port: number }).port;
      const rss = async (): Promise<number> => ((await child.request("rss")) as { rss: number }).rss;
      await sleep(1000);
      const idle = await rss();
      const client = await createEventsClient(`127.0.0.1:${port}`);
      const stop = new AbortController();
      const stream = client.streamEvents("", { signal: stop.signal })[Symbol.asyncIterator]();
      try {
        for (let i = 0; i < READ_FIRST; i++) await stream.next();
        let peak = idle;
        for (const end = Date.now() + stallMs; Date.now() < end; await sleep(SAMPLE_MS)) {
          peak = Math.max(peak, await rss());
        }
        return [
          figure({
            name: "memory",
            workload: `client reads ${READ_FIRST} of ${fixture.events} events (${(fixture.bytes / MB).toFixed(0)} MiB of log) then stalls ${stallMs / 1000} s; idle server RSS ${(idle / MB).toFixed(0)} MiB`,
            unit: "MiB server RSS growth",
            value: (peak - idle) / MB,
            goal: { on: "value", op: "<=", target: 64 },
          }),
        ];
      } finally {
        stop.abort();
        await stream.return?.();
        client.close();
      }
    } finally {
      await child.stop();
    }
  },
};
