import { afterEach, describe, expect, it } from "vitest";
import { createEventsClient } from "../../src/client/events-client.js";
import { PermissionDeniedError } from "../../src/errors/errors.js";
import { grpcCodeName, methodLabels } from "../../src/grpc/rpc-metrics.js";
import { newRegistry, type Registry } from "../../src/observability/metrics.js";
import { startEventsServer } from "../../src/server/events-server.js";
import { MemoryAuditLog } from "../fakes/memory-audit-log.js";
import { take } from "./loopback.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The value of one series, or undefined when the series does not exist. */
async function series(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  const { values } = await metric.get();
  const found = values.find((v) =>
    Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  );
  return found?.value;
}

const STREAM = { grpc_service: "auth.AuthService", grpc_method: "StreamEvents", grpc_type: "server_stream" };

describe("per-RPC metrics", () => {
  it.each([
    [{ path: "/auth.AuthService/StreamEvents", requestStream: false, responseStream: true }, STREAM],
    [
      { path: "/grpc.health.v1.Health/Check", requestStream: false, responseStream: false },
      { grpc_service: "grpc.health.v1.Health", grpc_method: "Check", grpc_type: "unary" },
    ],
    [
      { path: "/a.B/C", requestStream: true, responseStream: false },
      { grpc_service: "a.B", grpc_method: "C", grpc_type: "client_stream" },
    ],
    [
      { path: "/a.B/C", requestStream: true, responseStream: true },
      { grpc_service: "a.B", grpc_method: "C", grpc_type: "bidi_stream" },
    ],
  ])("labels %o as go-grpc-prometheus does", (method, labels) => {
    expect(methodLabels(method)).toEqual(labels);
  });

  it.each([
    [0, "OK"],
    [1, "Canceled"],
    [3, "InvalidArgument"],
    [14, "Unavailable"],
    [16, "Unauthenticated"],
    [99, "Code(99)"],
  ])("names status code %i %s", (code, name) => {
    expect(grpcCodeName(code)).toBe(name);
  });

  it("counts calls, messages and status codes on both sides, every series at 0 before the first call", async () => {
    const log = new MemoryAuditLog(["shard-a"]);
    log.appendEvents(3, "shard-a");
    const serverRegistry = newRegistry();
    const server = await startEventsServer(log, {
      listen: "127.0.0.1:0",
      token: "events-token",
      registry: serverRegistry,
    });
    cleanups.push(() => server.shutdown(1000));

    for (const code of ["OK", "Unauthenticated", "DataLoss"]) {
      expect(await series(serverRegistry, "grpc_server_handled_total", { ...STREAM, grpc_code: code })).toBe(
        0,
      );
    }
    expect(await series(serverRegistry, "grpc_server_started_total", STREAM)).toBe(0);
    expect(
      await series(serverRegistry, "grpc_server_started_total", {
        grpc_service: "grpc.health.v1.Health",
        grpc_method: "Check",
      }),
    ).toBe(0);

    const clientRegistry = newRegistry();
    const good = await createEventsClient(`127.0.0.1:${server.port}`, {
      token: "events-token",
      registry: clientRegistry,
    });
    cleanups.push(() => good.close());
    const events = await take(good.streamEvents("", { untilCaughtUp: true }));
    expect(events).toHaveLength(3);

    const bad = await createEventsClient(`127.0.0.1:${server.port}`, {
      token: "wrong",
      registry: clientRegistry,
    });
    cleanups.push(() => bad.close());
    await expect(take(bad.streamEvents("", { untilCaughtUp: true }))).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );

    expect(await series(serverRegistry, "grpc_server_started_total", STREAM)).toBe(2);
    expect(await series(serverRegistry, "grpc_server_handled_total", { ...STREAM, grpc_code: "OK" })).toBe(1);
    expect(
      await series(serverRegistry, "grpc_server_handled_total", { ...STREAM, grpc_code: "PermissionDenied" }),
    ).toBe(1);
    expect(await series(serverRegistry, "grpc_server_msg_sent_total", STREAM)).toBe(3);
    expect(await series(serverRegistry, "grpc_server_msg_received_total", STREAM)).toBe(2);
    expect(await series(serverRegistry, "grpc_server_handling_seconds", { ...STREAM, le: "+Inf" })).toBe(2);

    expect(await series(clientRegistry, "grpc_client_started_total", STREAM)).toBe(2);
    expect(await series(clientRegistry, "grpc_client_handled_total", { ...STREAM, grpc_code: "OK" })).toBe(1);
    expect(
      await series(clientRegistry, "grpc_client_handled_total", { ...STREAM, grpc_code: "PermissionDenied" }),
    ).toBe(1);
    expect(await series(clientRegistry, "grpc_client_msg_received_total", STREAM)).toBe(3);
  });
});
