import { FileAuditLog } from "../src/auditlog/file/file-audit-log.js";
import { createEventsClient } from "../src/client/events-client.js";
import { CursorMode, StreamEvent, StreamEventsRequest } from "../src/gen/auth/auth.js";
import { startEventsServer } from "../src/server/events-server.js";
import { readBareStream, startBareStreamServer } from "./harness/bare-stream-server.js";
import type { Bench } from "./harness/bench.js";
import { figure } from "./harness/result.js";
import { bestOf } from "./harness/timing.js";

/**
 * StreamEvents from the file audit log (typed events, a cursor per event) over loopback, against a bare
 * grpc-js server writing the same encoded messages to a client that does not decode them. Two more,
 * context-only runs tell the server's cost from the client's: the bare client decoding, and the project's
 * server read by the bare (non-decoding) client.
 */
export const streamBench: Bench = {
  name: "stream",
  async run(context) {
    const events = context.quick ? 50_000 : 300_000;
    const runs = context.quick ? 2 : 3;
    const fixture = await context.fileLog(events);
    const log = new FileAuditLog(fixture.dir, { watch: false });
    try {
      // The exact messages the project's server sends, encoded once for the baseline.
      const messages: Buffer[] = [];
      for await (const event of log.streamEvents(new Map(), { untilCaughtUp: true })) {
        messages.push(Buffer.from(StreamEvent.encode(event).finish()));
      }
      const count = messages.length;
      const bytes = messages.reduce((sum, m) => sum + m.length, 0);
      const workload = `${count} events, ${(bytes / count).toFixed(0)} B/message, loopback, best of ${runs}`;

      const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
      const client = await createEventsClient(`127.0.0.1:${server.port}`);
      const bare = await startBareStreamServer(messages);
      try {
        const project = await bestOf(runs, async () => {
          let n = 0;
          for await (const event of client.streamEvents("", { untilCaughtUp: true })) if (event.cursor) n++;
          return n;
        });
        const request = Buffer.from(
          StreamEventsRequest.encode({
            cursor: "",
            untilCaughtUp: true,
            cursorMode: CursorMode.CURSOR_MODE_UNSPECIFIED,
          }).finish(),
        );
        const serverOnly = await bestOf(runs, () => readBareStream(server.port, () => undefined, request));
        const raw = await bestOf(runs, () => readBareStream(bare.port, () => undefined));
        const decoded = await bestOf(runs, () =>
          readBareStream(bare.port, (message) => void StreamEvent.decode(message)),
        );
        for (const [what, n] of [
          ["project", project.count],
          ["bare", raw.count],
          ["project server (raw client)", serverOnly.count],
        ] as const) {
          if (n !== count) throw new Error(`${what} stream delivered ${n} of ${count} events`);
        }
        const baseline = "bare grpc-js, same bytes, no decode";
        const eventsPerSecond = (r: { count: number; ms: number }) => r.count / (r.ms / 1000);
        const megabytesPerSecond = (r: { ms: number }) => bytes / 1e6 / (r.ms / 1000);
        return [
          figure({
            name: "stream",
            workload,
            unit: "events/s",
            value: eventsPerSecond(project),
            baseline: { name: baseline, value: eventsPerSecond(raw) },
            goal: { on: "ratio", op: ">=", target: 0.8 },
          }),
          figure({
            name: "stream",
            workload,
            unit: "MB/s",
            value: megabytesPerSecond(project),
            baseline: { name: baseline, value: megabytesPerSecond(raw) },
            goal: { on: "ratio", op: ">=", target: 0.8 },
          }),
          figure({
            name: "stream",
            workload,
            unit: "events/s",
            value: eventsPerSecond(project),
            baseline: { name: "bare grpc-js, same bytes, client decodes", value: eventsPerSecond(decoded) },
            note: "context: the share of the gap that is the client's protobuf decoding",
          }),
          figure({
            name: "stream",
            workload,
            unit: "events/s",
            value: eventsPerSecond(serverOnly),
            baseline: { name: baseline, value: eventsPerSecond(raw) },
            note: "context: the project's server read by the bare client (no decoding): the server's share",
          }),
        ];
      } finally {
        client.close();
        await bare.close();
        await server.shutdown(1000);
      }
    } finally {
      await log.close();
    }
  },
};
