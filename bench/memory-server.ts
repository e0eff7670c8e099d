/**
 * The events server of the memory benchmark, in a child process of its own so that its RSS is measured
 * alone. Started by bench/memory.ts with IPC: sends {port}, answers "rss" with {rss} (bytes), exits on "stop".
 */
import { FileAuditLog } from "../src/auditlog/file/file-audit-log.js";
import { startEventsServer } from "../src/server/events-server.js";

const dir = process.argv[2];
if (dir === undefined || process.send === undefined) throw new Error("usage: fork memory-server.ts DIR");
const log = new FileAuditLog(dir, { watch: false });
const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
process.on("message", (message) => {
  if (message === "rss") process.send?.({ rss: process.memoryUsage().rss });
  if (message === "stop") {
    server.forceShutdown();
    void log.close().then(() => process.exit(0));
  }
});
process.send({ port: server.port });
