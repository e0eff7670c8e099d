import { credentials as grpcCredentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileAuditLog } from "../../src/auditlog/file/index.js";
import { AuthServiceClient, type StreamEvent } from "../../src/gen/auth/auth.js";
import { streamRequest } from "../support/stream-request.js";
import {
  Event as TenantEvent,
  SubmitEventsRequest,
  TenantsServiceClient,
  type Event,
} from "../../src/gen/tenants/tenants.js";
import { newRegistry, type Registry } from "../../src/observability/metrics.js";
import { startEventsServer, type EventsServer } from "../../src/server/events-server.js";
import { hashToken, startTenantsServer, TenantTokens, type TenantsServer } from "../../src/tenants/index.js";
import { activityEvent } from "../activity/sample-activity.js";
import { lengthDelimited, rawClient, rawUnary } from "../grpc/raw-calls.js";
import { checkHealth, healthClient } from "../tenants/grpc-probes.js";
import { FakeSink } from "../tenants/fake-sink.js";
import { byMode, figure, SEED } from "./support/mode.js";
import { workDir, writeAuditLog } from "./support/pipeline.js";
import { TcpProxy } from "./support/tcp-proxy.js";

const TOKEN = "acme-token-for-network-tests";
const MAX_STREAMS = 4;
/** Below the idle connections the last test opens, so it reaches the cap. */
const MAX_CONNECTIONS = byMode(150, 800);
const HANDSHAKE_TIMEOUT_MS = 3_000;

function metadata(): Metadata {
  const m = new Metadata();
  m.set("authorization", `Bearer ${TOKEN}`);
  return m;
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

/** Polls `value` until it is positive and unchanged across five polls 200 ms apart. */
async function settledAsync(value: () => Promise<number>): Promise<number> {
  let last = await value();
  for (let stable = 0; stable < 5 || last <= 0;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await value();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * Hostile or broken clients against both servers over loopback: messages over the size limits, a
 * client that never reads, clients that vanish mid-stream, and many idle or half-handshake connections
 * (over the connection cap). After each the
 * servers still answer health checks and serve well-behaved clients.
 */
describe("bad input on the wire", () => {
  const EVENTS = byMode(20_000, 60_000);
  let cleanup: () => Promise<void>;
  let log: FileAuditLog;
  let events: EventsServer;
  let tenants: TenantsServer;
  const registry = newRegistry();

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = await workDir("network"));
    await writeAuditLog(dir, { events: EVENTS, seed: SEED });
    log = new FileAuditLog(join(dir, "log"));
    events = await startEventsServer(log, {
      listen: "127.0.0.1:0",
      maxStreams: MAX_STREAMS,
      registry,
      maxConnections: MAX_CONNECTIONS,
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    });
    tenants = await startTenantsServer(new FakeSink(), {
      listen: "127.0.0.1:0",
      maxConnections: MAX_CONNECTIONS,
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
      tokens: new TenantTokens([{ id: "acme", tokenSha256: hashToken(TOKEN) }]),
    });
  }, 120_000);

  afterAll(async () => {
    await events?.shutdown(1000);
    await tenants?.shutdown(1000);
    await log?.close();
    await cleanup?.();
  });

  const authClient = () =>
    new AuthServiceClient(`127.0.0.1:${events.port}`, grpcCredentials.createInsecure());
  const streamAll = (cursor = ""): Promise<{ count: number; error?: ServiceError }> => {
    const client = authClient();
    return new Promise((resolve) => {
      let count = 0;
      const call = client.streamEvents(streamRequest({ cursor, untilCaughtUp: true }), metadata());
      call.on("data", () => count++);
      call.on("error", (error: ServiceError) => {
        client.close();
        resolve({ count, error });
      });
      call.on("end", () => {
        client.close();
        resolve({ count });
      });
    });
  };

  async function bothHealthy(): Promise<void> {
    for (const port of [events.port, tenants.port]) {
      const client = healthClient(port);
      expect(await checkHealth(client, "")).toBe("SERVING");
      client.close();
    }
  }

  it("an oversize or over-bound cursor is refused, and the server goes on serving", async () => {
    const huge = `{"shard_id_to_sequence_number":{"a":"1"},"pad":"${"x".repeat(5 * 1024 * 1024)}"}`;
    expect((await streamAll(huge)).error?.code).toBe(status.RESOURCE_EXHAUSTED);
    const overBound = `{"shard_id_to_sequence_number":{"a":"1"},"pad":"${"x".repeat(1024 * 1024 + 10)}"}`;
    const refused = await streamAll(overBound);
    expect(refused.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(refused.error?.details).toMatch(/cursor is larger than/);
    await bothHealthy();
    expect((await streamAll()).count).toBe(EVENTS);
  });

  it("a cursor with a damaged key is refused, not taken as a fresh start", async () => {
    const damaged = await streamAll('{"shard_id_to_sequence_numbeR":{"2026-06-01.log":"0"}}');
    expect(damaged.count).toBe(0);
    expect(damaged.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(damaged.error?.details).toMatch(/cursor has no "shard_id_to_sequence_number"/);
    expect((await streamAll("{}")).count).toBe(EVENTS);
  });

  it("cursors whose error text would hold half a character are all answered, and take no slot", async () => {
    const calls = byMode(500, 2_000);
    // Lone surrogates (as JSON escapes) and long ids of multi-byte characters the message would cut.
    const cursors = [
      '{"shard_id_to_sequence_number":{"\\ud800":"1"}}',
      '{"shard_id_to_sequence_number":{"2026-09-01.log":"\\udc00"}}',
      `{"shard_id_to_sequence_number":{"${"é".repeat(100)}":"x"}}`,
      `{"shard_id_to_sequence_number":{"${"😀".repeat(100)}":"1"}}`,
    ];
    const client = authClient();
    const outcomes = new Map<string, number>();
    // MAX_STREAMS at a time, so each call reaches the audit log rather than the stream bound.
    for (let i = 0; i < calls; i += MAX_STREAMS) {
      const batch = Array.from({ length: Math.min(MAX_STREAMS, calls - i) }, (_, j) => {
        const cursor = cursors[(i + j) % cursors.length] ?? "";
        return new Promise<string>((resolve) => {
          const call = client.streamEvents(streamRequest({ cursor, untilCaughtUp: true }), metadata(), {
            deadline: Date.now() + 10_000,
          });
          call.on("data", () => undefined);
          call.on("error", (error: ServiceError) => resolve(status[error.code] ?? String(error.code)));
          call.on("end", () => resolve("OK"));
        });
      });
      for (const outcome of await Promise.all(batch)) outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    client.close();
    expect(Object.fromEntries(outcomes)).toEqual({ INVALID_ARGUMENT: calls });
    expect(await metricValue(registry, "tenant_events_server_active_streams")).toBe(0);
    await bothHealthy();
    expect((await streamAll()).count).toBe(EVENTS);
    figure("unsendable status text", { calls, answered: outcomes.get("INVALID_ARGUMENT") ?? 0 });
  });

  it("an oversize SubmitEvents request is RESOURCE_EXHAUSTED, and the service goes on serving", async () => {
    const client = new TenantsServiceClient(`127.0.0.1:${tenants.port}`, grpcCredentials.createInsecure());
    const submit = (batch: Event[]) =>
      new Promise<ServiceError | number>((resolve) =>
        client.submitEvents({ events: batch }, metadata(), (err, res) => resolve(err ?? res?.accepted ?? -1)),
      );
    const batch = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) =>
        activityEvent({ id: `${prefix}-${i}-${"p".repeat(230)}`, type: `t${"y".repeat(240)}` }),
      );
    // Over the service's 4 MiB batch bound but within what the transport reads: refused by the service.
    const big = batch(8_000, "big");
    const bigBytes = SubmitEventsRequest.encode({ events: big }).finish().length;
    expect(bigBytes).toBeGreaterThan(4 * 1024 * 1024);
    expect(bigBytes).toBeLessThan(5 * 1024 * 1024);
    const refused = (await submit(big)) as ServiceError;
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/batch too large/);
    // Far over: refused by the transport before it is decoded.
    expect(((await submit(batch(20_000, "huge"))) as ServiceError).code).toBe(status.RESOURCE_EXHAUSTED);
    await bothHealthy();
    expect(await submit([activityEvent({ id: "small-1" })])).toBe(1);
    client.close();
  });

  it("a SubmitEvents request that is not protobuf, or not UTF-8, is authenticated first, then refused", async () => {
    const raw = rawClient(tenants.port);
    const submit = (bytes: Buffer, md: Metadata) =>
      rawUnary(raw, "/tenants.TenantsService/SubmitEvents", bytes, { metadata: md, deadlineMs: 10_000 });
    const garbage = Buffer.from([0x0a, 0x05, 0x01]);
    const rest = Buffer.from(TenantEvent.encode(activityEvent({ id: "" })).finish());
    const badId = (last: number) =>
      lengthDelimited(
        1,
        Buffer.concat([lengthDelimited(1, Buffer.from([0x62, 0x61, 0x64, 0x2d, last])), rest]),
      );

    expect((await submit(garbage, new Metadata())).code).toBe(status.UNAUTHENTICATED);
    expect((await submit(garbage, metadata())).code).toBe(status.INVALID_ARGUMENT);
    for (const last of [0xff, 0xfe]) {
      const outcome = await submit(badId(last), metadata());
      expect(outcome.code).toBe(status.INVALID_ARGUMENT);
      expect(outcome.details).toMatch(/^events\[0\]\.id is not valid UTF-8/);
    }
    raw.close();
    await bothHealthy();
  });

  it("a client that never reads holds the server back to a bounded amount, not the whole log", async () => {
    const before = await metricValue(registry, "tenant_events_server_events_streamed_total");
    const client = authClient();
    const call = client.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true }), metadata());
    let received = 0;
    call.on("data", () => {
      received++;
      if (received === 1) call.pause();
    });
    // Settled: the server has stopped sending because flow control holds it back.
    const streamed = await settledAsync(
      async () => (await metricValue(registry, "tenant_events_server_events_streamed_total")) - before,
    );
    expect(streamed).toBeLessThan(EVENTS / 2);
    // Meanwhile everyone else is served in full.
    expect((await streamAll()).count).toBe(EVENTS);
    await bothHealthy();
    const ended = new Promise<void>((resolve) => call.on("end", resolve));
    call.resume();
    await ended;
    expect(received).toBe(EVENTS);
    client.close();
    figure("never-reading client", { events: EVENTS, streamedWhileStalled: streamed });
  });

  it("clients that cancel or vanish mid-stream give their stream slot back", async () => {
    const cycles = byMode(40, 200);
    for (let i = 0; i < cycles; i++) {
      if (i % 2 === 0) {
        const client = authClient();
        const call = client.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true }), metadata());
        await new Promise<void>((resolve) => {
          let n = 0;
          call.on("data", (_: StreamEvent) => {
            if (++n === 50) {
              call.cancel();
              resolve();
            }
          });
          call.on("error", () => resolve());
        });
        client.close();
      } else {
        // The TCP connection is cut under a stream in flight, as a crashed client or a dropped link would.
        const proxy = await TcpProxy.start(events.port);
        const client = new AuthServiceClient(proxy.address, grpcCredentials.createInsecure());
        const call = client.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true }), metadata());
        await new Promise<void>((resolve) => {
          let n = 0;
          call.on("data", () => {
            if (++n === 50) resolve();
          });
        });
        call.on("error", () => undefined);
        await proxy.close();
        client.close();
      }
    }
    let active = -1;
    for (let attempt = 0; attempt < 500 && active !== 0; attempt++) {
      active = await metricValue(registry, "tenant_events_server_active_streams");
      if (active !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(active).toBe(0);
    const full = await Promise.all(Array.from({ length: MAX_STREAMS }, () => streamAll()));
    expect(full.map((r) => r.count)).toEqual(Array.from({ length: MAX_STREAMS }, () => EVENTS));
    figure("mid-stream disconnects", { cycles, leakedSlots: active });
  });

  it("a client holding every stream slot does not keep another connection out", async () => {
    const hog = authClient();
    const calls = Array.from({ length: MAX_STREAMS }, () => {
      const call = hog.streamEvents(streamRequest({ cursor: "" }), metadata());
      call.on("data", () => undefined);
      const ended = new Promise<ServiceError | undefined>((resolve) => {
        call.on("error", (error: ServiceError) => resolve(error));
        call.on("end", () => resolve(undefined));
      });
      return { call, ended };
    });
    while ((await metricValue(registry, "tenant_events_server_active_streams")) < MAX_STREAMS) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Its own connection, as the reporter's process has.
    const other = new AuthServiceClient(`127.0.0.1:${events.port}`, grpcCredentials.createInsecure(), {
      "grpc.use_local_subchannel_pool": 1,
    });
    const served = await new Promise<{ count: number; error?: ServiceError }>((resolve) => {
      let count = 0;
      const call = other.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true }), metadata());
      call.on("data", () => count++);
      call.on("error", (error: ServiceError) => resolve({ count, error }));
      call.on("end", () => resolve({ count }));
    });
    expect(served).toEqual({ count: EVENTS });
    const preempted = await Promise.race(calls.map((c) => c.ended));
    expect(preempted?.code).toBe(status.UNAVAILABLE);
    expect(preempted?.details).toMatch(/fair share/);
    for (const c of calls) c.call.cancel();
    other.close();
    hog.close();
  });

  it("idle and half-handshake connections are closed after the handshake timeout, and over the cap refused", async () => {
    const idle = byMode(200, 1000);
    const closed = (socket: Socket) =>
      socket.closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const clients: AuthServiceClient[] = [];
    for (let i = 0; i < idle / 10; i++) {
      const client = authClient();
      // Connects (an HTTP/2 session) and then sits idle, never calling.
      await new Promise<void>((resolve) => client.waitForReady(Date.now() + 10_000, () => resolve()));
      clients.push(client);
    }
    const sockets: Socket[] = [];
    for (let i = 0; i < idle; i++) {
      for (const port of [events.port, tenants.port]) {
        const socket = connect(port, "127.0.0.1");
        socket.on("error", () => undefined);
        socket.resume();
        // Every other one stalls halfway through the HTTP/2 preface.
        if (i % 2 === 1) socket.on("connect", () => socket.write("PRI * HTTP/2.0\r\n"));
        sockets.push(socket);
      }
    }
    // Every connection ends: refused over the cap at once, or closed after the handshake timeout.
    await Promise.all(sockets.map(closed));
    await bothHealthy();
    expect((await streamAll()).count).toBe(EVENTS);
    const refused = await metricValue(registry, "tenant_events_grpc_connections_refused_total");
    const timedOut = await metricValue(registry, "tenant_events_grpc_connections_handshake_timeouts_total");
    expect(refused).toBeGreaterThan(0);
    expect(timedOut).toBeGreaterThanOrEqual(MAX_CONNECTIONS);
    for (const client of clients) client.close();
    figure("idle connections", {
      rawPerServer: idle,
      idleHttp2: clients.length,
      cap: MAX_CONNECTIONS,
      eventsServerRefused: refused,
      eventsServerTimedOut: timedOut,
    });
  });
});
