import { credentials as grpcCredentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileAuditLog } from "../../src/auditlog/file/index.js";
import { AuthServiceClient, type StreamEvent } from "../../src/gen/auth/auth.js";
import { streamRequest } from "../support/stream-request.js";
import { TenantsServiceClient } from "../../src/gen/tenants/tenants.js";
import { newRegistry, type Registry } from "../../src/observability/metrics.js";
import { startEventsServer, type EventsServer } from "../../src/server/events-server.js";
import { DuckDbSink } from "../../src/store/duckdb/duckdb-sink.js";
import { hashToken, startTenantsServer, TenantTokens, type TenantsServer } from "../../src/tenants/index.js";
import { activityEvent } from "../activity/sample-activity.js";
import { checkHealth, healthClient } from "../tenants/grpc-probes.js";
import { byMode, figure, SEED } from "./support/mode.js";
import { sinkRows, workDir, writeAuditLog } from "./support/pipeline.js";

const MAX_STREAMS = 64;
const TENANTS = 50;

function bearer(token: string): Metadata {
  const m = new Metadata();
  m.set("authorization", `Bearer ${token}`);
  return m;
}

async function gaugeValue(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

/** Health checks of both servers every 50 ms until stopped; every answer must be SERVING. */
function watchHealth(ports: number[]): { stop: () => Promise<string[]> } {
  const clients = ports.map((port) => healthClient(port));
  const answers: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const client of clients) {
        const answer = await checkHealth(client, "");
        answers.push(typeof answer === "string" ? answer : `error ${answer.code}`);
      }
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      for (const client of clients) client.close();
      return answers;
    },
  };
}

/**
 * Load on both servers: 64 concurrent StreamEvents clients resuming from different cursors (the stream
 * bound; more are RESOURCE_EXHAUSTED at once), and 500 concurrent SubmitEvents calls from 50 tenants;
 * health checks answer SERVING throughout.
 */
describe("load", () => {
  const EVENTS = byMode(3_000, 20_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: FileAuditLog;
  let events: EventsServer;
  let tenants: TenantsServer | undefined;
  let sink: DuckDbSink;
  const registry = newRegistry();
  const tokens = Array.from({ length: TENANTS }, (_, i) => ({ id: `tenant-${i}`, token: `load-token-${i}` }));
  const SERVER_TOKEN = "load-server-token";

  beforeAll(async () => {
    ({ dir, cleanup } = await workDir("load"));
    await writeAuditLog(dir, { events: EVENTS, seed: SEED });
    log = new FileAuditLog(join(dir, "log"));
    events = await startEventsServer(log, {
      listen: "127.0.0.1:0",
      maxStreams: MAX_STREAMS,
      token: SERVER_TOKEN,
      registry,
    });
    sink = await DuckDbSink.open(join(dir, "usage.duckdb"));
    tenants = await startTenantsServer(sink, {
      listen: "127.0.0.1:0",
      tokens: new TenantTokens(tokens.map((t) => ({ id: t.id, tokenSha256: hashToken(t.token) }))),
    });
  }, 120_000);

  afterAll(async () => {
    await events?.shutdown(1000);
    await tenants?.shutdown(1000);
    if (tenants !== undefined) await sink.close();
    await log?.close();
    await cleanup?.();
  });

  it("64 followers from different cursors each get exactly the rest of the log; the 65th is refused", async () => {
    const health = watchHealth([events.port, tenants?.port ?? 0]);
    const client = new AuthServiceClient(`127.0.0.1:${events.port}`, grpcCredentials.createInsecure());
    // Every event's cursor, from one full read.
    const all = await new Promise<StreamEvent[]>((resolve, reject) => {
      const got: StreamEvent[] = [];
      const call = client.streamEvents(
        streamRequest({ cursor: "", untilCaughtUp: true }),
        bearer(SERVER_TOKEN),
      );
      call.on("data", (e: StreamEvent) => got.push(e));
      call.on("error", reject);
      call.on("end", () => resolve(got));
    });
    expect(all).toHaveLength(EVENTS);
    const starts = Array.from({ length: MAX_STREAMS }, (_, i) => Math.floor((i * EVENTS) / MAX_STREAMS));
    const followers = starts.map((start) => {
      const cursor = start === 0 ? "" : (all[start - 1]?.cursor ?? "");
      const call = client.streamEvents(streamRequest({ cursor, untilCaughtUp: false }), bearer(SERVER_TOKEN));
      const received: string[] = [];
      let failure: ServiceError | undefined;
      call.on("data", (e: StreamEvent) => received.push(e.cursor));
      call.on("error", (err: ServiceError) => (failure = err));
      return { start, call, received, failure: () => failure };
    });
    // Until every follower has the rest of the log, or nothing moves for 10 s (then the checks below fail).
    const delivered = () => followers.reduce((sum, f) => sum + f.received.length, 0);
    for (
      let last = -1, still = 0;
      followers.some((f) => f.received.length < EVENTS - f.start) && still < 500;
    ) {
      await sleep(20);
      const now = delivered();
      still = now === last ? still + 1 : 0;
      last = now;
    }
    for (const f of followers) {
      expect(f.failure()).toBeUndefined();
      expect(f.received).toEqual(all.slice(f.start).map((e) => e.cursor));
    }
    expect(await gaugeValue(registry, "tenant_events_server_active_streams")).toBe(MAX_STREAMS);

    const extra = await Promise.all(
      Array.from(
        { length: 16 },
        () =>
          new Promise<ServiceError | undefined>((resolve) => {
            const call = client.streamEvents(
              streamRequest({ cursor: "", untilCaughtUp: false }),
              bearer(SERVER_TOKEN),
            );
            call.on("data", () => resolve(undefined));
            call.on("error", (err: ServiceError) => resolve(err));
          }),
      ),
    );
    expect(extra.map((e) => e?.code)).toEqual(Array.from({ length: 16 }, () => status.RESOURCE_EXHAUSTED));
    // Refused while all 64 followers are still open: nobody waited for a slot.
    expect(followers.every((f) => f.failure() === undefined)).toBe(true);

    for (const f of followers) f.call.cancel();
    for (let i = 0; i < 500 && (await gaugeValue(registry, "tenant_events_server_active_streams")) > 0; i++) {
      await sleep(20);
    }
    expect(await gaugeValue(registry, "tenant_events_server_active_streams")).toBe(0);
    client.close();
    const answers = await health.stop();
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a !== "SERVING")).toEqual([]);
    figure("load streams", {
      events: EVENTS,
      followers: MAX_STREAMS,
      eventsDelivered: followers.reduce((sum, f) => sum + f.received.length, 0),
      refused: extra.length,
      healthChecks: answers.length,
    });
  });

  it("500 concurrent SubmitEvents calls from 50 tenants are all stored, each under its own tenant", async () => {
    const server = tenants as TenantsServer;
    const health = watchHealth([events.port, server.port]);
    const CALLS = 500;
    const PER_CALL = 20;
    const clients = Array.from(
      { length: 10 },
      () => new TenantsServiceClient(`127.0.0.1:${server.port}`, grpcCredentials.createInsecure()),
    );
    const outcomes = await Promise.all(
      Array.from({ length: CALLS }, (_, call) => {
        const tenant = tokens[call % TENANTS] as { id: string; token: string };
        const batch = Array.from({ length: PER_CALL }, (_, i) => activityEvent({ id: `call-${call}-${i}` }));
        const client = clients[call % clients.length] as TenantsServiceClient;
        return new Promise<number | ServiceError>((resolve) =>
          client.submitEvents({ events: batch }, bearer(tenant.token), (err, res) =>
            resolve(err ?? res?.accepted ?? -1),
          ),
        );
      }),
    );
    for (const client of clients) client.close();
    const answers = await health.stop();
    expect(outcomes).toEqual(Array.from({ length: CALLS }, () => PER_CALL));
    expect(answers.filter((a) => a !== "SERVING")).toEqual([]);

    await server.shutdown(1000);
    tenants = undefined;
    await sink.close();
    const rows = await sinkRows(dir);
    expect(rows).toHaveLength(CALLS * PER_CALL);
    for (const row of rows) {
      const call = Number(/^call-(\d+)-/.exec(row.id)?.[1]);
      expect(row.tenant).toBe(`tenant-${call % TENANTS}`);
    }
    figure("load submits", {
      calls: CALLS,
      tenants: TENANTS,
      rows: rows.length,
      healthChecks: answers.length,
    });
  });
});
