import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileAuditLog } from "../src/auditlog/file/file-audit-log.js";
import { createEventsClient } from "../src/client/events-client.js";
import { HmacAnonymizer } from "../src/reporter/anonymizer/hmac-anonymizer.js";
import { MemoAnonymizer } from "../src/reporter/anonymizer/memo-anonymizer.js";
import { FileCursorStore } from "../src/reporter/cursor-store/file-cursor-store.js";
import { Reporter } from "../src/reporter/reporter.js";
import { createGrpcSubmitter } from "../src/reporter/submitter/grpc-submitter.js";
import { startEventsServer } from "../src/server/events-server.js";
import type { Bench } from "./harness/bench.js";
import { ChildService } from "./harness/child-service.js";
import { figure } from "./harness/result.js";
import { nowMs } from "./harness/timing.js";

const TOKEN = "bench-token";

/**
 * The whole pipeline on the embedded defaults over loopback gRPC: file audit log → events server →
 * reporter (filter, anonymize, batch, checkpoint) → tenants service → DuckDB, against the stream alone
 * (the same events server read to the end by a client) in the same run. The tenant side (events server
 * and reporter) shares this process, as the events server and its client do for the baseline; the central
 * side (tenants service and DuckDB, bench/pipeline-central.ts) runs in a process of its own, as it runs on
 * another machine in production.
 */
export const pipelineBench: Bench = {
  name: "pipeline",
  async run(context) {
    const events = context.quick ? 20_000 : 200_000;
    const fixture = await context.fileLog(events);
    const log = new FileAuditLog(fixture.dir, { watch: false });
    const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
    const { service: central, ready } = await ChildService.start(
      join(dirname(fileURLToPath(import.meta.url)), "pipeline-central.ts"),
      [join(context.workDir, "pipeline.duckdb"), TOKEN],
    );
    const tenantsPort = (ready as { port: number }).port;
    const source = await createEventsClient(`127.0.0.1:${server.port}`);
    const submitter = await createGrpcSubmitter(`127.0.0.1:${tenantsPort}`, { token: TOKEN });
    try {
      const readAll = async (): Promise<number> => {
        let n = 0;
        // As the reporter reads it: cursors at checkpoints only, counting events (not bare checkpoints).
        const stream = source.streamEvents("", { untilCaughtUp: true, cursors: "checkpoints" });
        for await (const event of stream) if (event.event !== undefined) n++;
        return n;
      };
      await readAll(); // warm-up, as the reporter runs on warmed code too
      let start = nowMs();
      const streamed = await readAll();
      const streamMs = nowMs() - start;

      const reporter = new Reporter({
        source,
        submitter,
        cursorStore: new FileCursorStore(join(context.workDir, "pipeline.cursor")),
        anonymizer: new MemoAnonymizer(new HmacAnonymizer(Buffer.from("bench-anonymization-key"))),
        batchInterval: 1000,
        untilCaughtUp: true,
      });
      start = nowMs();
      const result = await reporter.run(new AbortController().signal);
      const pipelineMs = nowMs() - start;
      if (result.eventsConsumed !== streamed) {
        throw new Error(`the reporter consumed ${result.eventsConsumed} of ${streamed} events`);
      }
      return [
        figure({
          name: "pipeline",
          workload: `${streamed} audit events → ${result.eventsSubmitted} activity events in ${result.batchesSubmitted} batches, DuckDB (central side in its own process)`,
          unit: "events/s",
          value: result.eventsConsumed / (pipelineMs / 1000),
          baseline: { name: "the stream alone, same run", value: streamed / (streamMs / 1000) },
          goal: { on: "ratio", op: ">=", target: 0.5 },
        }),
      ];
    } finally {
      source.close();
      submitter.close();
      await central.stop();
      await server.shutdown(1000);
      await log.close();
    }
  },
};
