import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { AuthServiceService } from "../../src/gen/auth/auth.js";
import { GrpcServer, type GrpcServerOptions } from "../../src/grpc/grpc-server.js";
import { newRegistry, type Registry } from "../../src/observability/metrics.js";
import { createAuthService } from "../../src/server/auth-service.js";
import { MemoryAuditLog } from "../fakes/memory-audit-log.js";
import { checkHealth, healthClient } from "../tenants/grpc-probes.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(
  options: Partial<GrpcServerOptions> = {},
): Promise<{ server: GrpcServer; registry: Registry }> {
  const registry = newRegistry();
  const server = new GrpcServer({
    listen: "127.0.0.1:0",
    authenticated: true,
    registry,
    ...options,
  });
  server.addService(AuthServiceService, createAuthService(new MemoryAuditLog()));
  await server.start();
  cleanups.push(() => server.shutdown(500));
  return { server, registry };
}

async function metric(registry: Registry, name: string): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
}

const OPEN = "tenant_events_grpc_connections";
const TIMED_OUT = "tenant_events_grpc_connections_handshake_timeouts_total";
const REFUSED = "tenant_events_grpc_connections_refused_total";

async function openConnectionsReach(registry: Registry, count: number): Promise<void> {
  while ((await metric(registry, OPEN)) !== count) await new Promise((resolve) => setTimeout(resolve, 10));
}

function rawSocket(port: number): Socket {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  // Reads what the server sends (SETTINGS, GOAWAY), so the socket sees the server close.
  socket.resume();
  cleanups.push(() => socket.destroy());
  return socket;
}

/** Milliseconds until `socket` closes. */
async function closesAfter(socket: Socket): Promise<number> {
  const started = Date.now();
  // Not events.once: a reset connection emits 'error' before 'close'.
  if (!socket.closed) await new Promise((resolve) => socket.once("close", resolve));
  return Date.now() - started;
}

function health(port: number) {
  const client = healthClient(port);
  cleanups.push(() => client.close());
  return client;
}

describe("GrpcServer connection guard", () => {
  it.each([
    ["sends nothing", undefined],
    ["stops halfway through the HTTP/2 preface", "PRI * HTTP/2.0\r\n"],
  ])("closes a connection that %s once the handshake timeout passes", async (_name, bytes) => {
    const { server, registry } = await startServer({ handshakeTimeoutMs: 300 });
    const socket = rawSocket(server.port);
    await once(socket, "connect");
    if (bytes !== undefined) socket.write(bytes);

    await closesAfter(socket);

    expect(await metric(registry, TIMED_OUT)).toBe(1);
    await openConnectionsReach(registry, 0);
  });

  it("closes a connection that speaks something other than HTTP/2 at once", async () => {
    const { server, registry } = await startServer({ handshakeTimeoutMs: 60_000 });
    const socket = rawSocket(server.port);
    await once(socket, "connect");
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

    await closesAfter(socket);

    await openConnectionsReach(registry, 0);
    expect(await metric(registry, TIMED_OUT)).toBe(0);
  });

  it("closes a TLS connection whose handshake never starts", async () => {
    const { server, registry } = await startServer({
      handshakeTimeoutMs: 300,
      tls: { certPath: join(FIXTURES, "server.pem"), keyPath: join(FIXTURES, "server.key") },
    });
    const socket = rawSocket(server.port);
    await once(socket, "connect");

    await closesAfter(socket);

    expect(await metric(registry, TIMED_OUT)).toBe(1);
    await openConnectionsReach(registry, 0);
  });

  it("keeps a connection that has made a call past the handshake timeout", async () => {
    const { server, registry } = await startServer({ handshakeTimeoutMs: 300 });
    const client = health(server.port);

    expect(await checkHealth(client, "")).toBe("SERVING");
    await new Promise((resolve) => setTimeout(resolve, 600));

    expect(await metric(registry, OPEN)).toBe(1);
    expect(await metric(registry, TIMED_OUT)).toBe(0);
    expect(await checkHealth(client, "")).toBe("SERVING");
  });

  it("refuses connections over the cap at once, and serves again once one of them closes", async () => {
    const { server, registry } = await startServer({ maxConnections: 3, handshakeTimeoutMs: 60_000 });
    const held = [rawSocket(server.port), rawSocket(server.port), rawSocket(server.port)];
    await Promise.all(held.map((socket) => once(socket, "connect")));
    await openConnectionsReach(registry, 3);

    await closesAfter(rawSocket(server.port));
    expect(await metric(registry, REFUSED)).toBe(1);
    expect(held.every((socket) => !socket.closed)).toBe(true);

    held[0]?.destroy();
    await openConnectionsReach(registry, 2);
    expect(await checkHealth(health(server.port), "")).toBe("SERVING");
    expect(await metric(registry, TIMED_OUT)).toBe(0);
  });

  it("closes connections still in their handshake when a graceful shutdown begins", async () => {
    const { server, registry } = await startServer({
      handshakeTimeoutMs: 60_000,
      tls: { certPath: join(FIXTURES, "server.pem"), keyPath: join(FIXTURES, "server.key") },
    });
    const socket = rawSocket(server.port);
    await once(socket, "connect");
    await openConnectionsReach(registry, 1);

    // A grace longer than the test may run: the shutdown must not wait for the stalled handshake.
    await server.shutdown(120_000);

    await closesAfter(socket);
    expect(await metric(registry, OPEN)).toBe(0);
    expect(await metric(registry, TIMED_OUT)).toBe(0);
  });

  it("refuses a connection bound or handshake timeout out of range", () => {
    const base = { listen: "127.0.0.1:0", authenticated: true };
    for (const bad of [
      { maxConnections: 0 },
      { maxConnections: 1.5 },
      { handshakeTimeoutMs: 0 },
      { handshakeTimeoutMs: 2 ** 31 },
    ]) {
      expect(() => new GrpcServer({ ...base, ...bad })).toThrow(InvalidArgumentError);
    }
  });
});
