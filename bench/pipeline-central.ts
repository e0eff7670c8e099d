/**
 * The central side of the pipeline benchmark (tenants service + DuckDB sink) in a child process of its
 * own, as it runs on another machine in production. Started by bench/pipeline.ts with IPC: sends {port},
 * exits on "stop".
 */
import { DuckDbSink } from "../src/store/duckdb/duckdb-sink.js";
import { hashToken, startTenantsServer, TenantTokens } from "../src/tenants/index.js";

const [path, token] = process.argv.slice(2);
if (path === undefined || token === undefined || process.send === undefined) {
  throw new Error("usage: fork pipeline-central.ts DUCKDB_PATH TOKEN");
}
const sink = await DuckDbSink.open(path);
const tenants = await startTenantsServer(sink, {
  tokens: new TenantTokens([{ id: "bench", tokenSha256: hashToken(token) }]),
  listen: "127.0.0.1:0",
  // The default per-tenant limit (2 000 events/s) would measure the limit, not the code.
  rateLimit: { eventsPerSecond: Infinity },
});
process.on("message", (message) => {
  if (message === "stop") {
    void tenants
      .shutdown(1000)
      .then(() => sink.close())
      .then(() => process.exit(0));
  }
});
process.send({ port: tenants.port });
