import { credentials, Metadata, status as Status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { decodeCursor } from "../../src/cursor/cursor.js";
import { DataLossError } from "../../src/errors/errors.js";
import { AuthServiceClient } from "../../src/gen/auth/auth.js";
import { AuthServiceClient as TeleportAuthServiceClient } from "../../src/gen/proto/authservice.js";
import { streamRequest } from "../support/stream-request.js";
import { newRegistry } from "../../src/observability/metrics.js";
import {
  startEventsServer,
  type EventsServer,
  type EventsServerOptions,
} from "../../src/server/events-server.js";
import { MemoryAuditLog, memoryEventUid } from "../fakes/memory-audit-log.js";
import { rawAuthClient, readAll, settled } from "../grpc/loopback.js";
import { eventually } from "../support/eventually.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(log: MemoryAuditLog, options: EventsServerOptions = {}): Promise<EventsServer> {
  const server = await startEventsServer(log, { listen: "127.0.0.1:0", ...options });
  cleanups.push(() => server.shutdown(1000));
  return server;
}

function client(server: EventsServer): AuthServiceClient {
  const c = rawAuthClient(server.port);
  cleanups.push(() => c.close());
  return c;
}

describe("events server", () => {
  it("serves the same stream under Teleport's method name, /proto.AuthService/StreamEvents", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(5);
    const server = await start(log);
    const teleport = new TeleportAuthServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    cleanups.push(() => teleport.close());

    const { events, error } = await readAll(teleport.streamEvents(streamRequest({ untilCaughtUp: true })));

    expect(error).toBeUndefined();
    expect(events.map(memoryEventUid)).toEqual(["uid-0", "uid-1", "uid-2", "uid-3", "uid-4"]);
  });

  it("streams every event with the cursor just after it, then ends OK when caught up", async () => {
    const log = new MemoryAuditLog(["shard-a", "shard-b"]);
    for (let i = 0; i < 30; i++) log.appendEvents(1, i % 3 === 0 ? "shard-b" : "shard-a");
    const server = await start(log);

    const { events, error } = await readAll(
      client(server).streamEvents(streamRequest({ cursor: "", untilCaughtUp: true })),
    );

    expect(error).toBeUndefined();
    expect(events.map(memoryEventUid)).toEqual(Array.from({ length: 30 }, (_, i) => `uid-${i}`));
    const last = decodeCursor(events.at(-1)?.cursor ?? "");
    expect(last.get("shard-a")).toBe("49000000000000000020");
    expect(last.get("shard-b")).toBe("49000000000000000010");
  });

  it("resumes from the 10th cursor with exactly the rest", async () => {
    const log = new MemoryAuditLog(["shard-a", "shard-b"]);
    for (let i = 0; i < 25; i++) log.appendEvents(1, i % 2 === 0 ? "shard-a" : "shard-b");
    const server = await start(log);
    const first = await readAll(
      client(server).streamEvents(streamRequest({ cursor: "", untilCaughtUp: true })),
    );
    const tenth = first.events[9]?.cursor ?? "";

    const rest = await readAll(
      client(server).streamEvents(streamRequest({ cursor: tenth, untilCaughtUp: true })),
    );

    expect(rest.error).toBeUndefined();
    expect(rest.events.map(memoryEventUid)).toEqual(first.events.slice(10).map(memoryEventUid));
    expect(rest.events.map((e) => e.cursor)).toEqual(first.events.slice(10).map((e) => e.cursor));
  });

  it("follows the log when not asked to stop once caught up", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(2);
    const server = await start(log);
    const call = client(server).streamEvents(streamRequest({ cursor: "", untilCaughtUp: false }));
    const seen: string[] = [];
    call.on("data", (event: Parameters<typeof memoryEventUid>[0]) => seen.push(memoryEventUid(event)));
    call.on("error", () => undefined);

    await eventually(() => seen.length === 2, "the two events present at the start");
    log.appendEvents(3);
    await eventually(() => seen.length === 5, "the three appended events");
    call.cancel();

    expect(seen).toEqual(["uid-0", "uid-1", "uid-2", "uid-3", "uid-4"]);
  });

  it.each([
    ["not JSON", "{oops", "cursor is not JSON"],
    ["not an object", "[1]", "cursor is not a JSON object"],
    [
      "a number sequence",
      '{"shard_id_to_sequence_number":{"shard-0":5}}',
      "must be a decimal string, got a number",
    ],
    [
      "a non-decimal sequence",
      '{"shard_id_to_sequence_number":{"shard-0":"12a"}}',
      "is not a decimal number",
    ],
    ["an unknown shard", '{"shard_id_to_sequence_number":{"nope":"1"}}', 'cursor names shard "nope"'],
    [
      "missing its map (a damaged key)",
      '{"shard_id_to_sequence_numbeR":{"shard-0":"1"}}',
      'cursor has no "shard_id_to_sequence_number"',
    ],
  ])("refuses a cursor that is %s with INVALID_ARGUMENT and says why", async (_name, cursor, message) => {
    const log = new MemoryAuditLog();
    log.appendEvents(3);
    const server = await start(log);

    const { events, error } = await readAll(
      client(server).streamEvents(streamRequest({ cursor, untilCaughtUp: true })),
    );

    expect(events).toEqual([]);
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(error?.details).toContain(message);
  });

  it("refuses streams past maxStreams with RESOURCE_EXHAUSTED, and admits again once one ends", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(1);
    const server = await start(log, { maxStreams: 2 });
    const c = client(server);
    const open = [
      c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: false })),
      c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: false })),
    ];
    for (const call of open) call.on("error", () => undefined);
    await eventually(() => log.openStreams === 2, "two streams open");

    const third = await readAll(c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true })));
    expect(third.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(third.error?.details).toContain("limit 2");

    open[0]?.cancel();
    await eventually(() => log.openStreams === 1, "the cancelled stream to stop reading");
    const fourth = await readAll(c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true })));
    expect(fourth.error).toBeUndefined();
    expect(fourth.events).toHaveLength(1);
  });

  it("gives a second connection its fair share of a full server, ending the first's newest stream", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(1);
    const server = await start(log, { maxStreams: 2 });
    const hog = client(server);
    // Its own channel, so its own connection (grpc-js shares one between clients by default).
    const other = new AuthServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure(), {
      "grpc.use_local_subchannel_pool": 1,
    });
    cleanups.push(() => other.close());
    const follow = () => streamRequest({ cursor: "", untilCaughtUp: false });
    const first = hog.streamEvents(follow());
    first.on("data", () => undefined);
    first.on("error", () => undefined);
    await eventually(() => log.openStreams === 1, "the first stream open");
    const newest = readAll(hog.streamEvents(follow()));
    await eventually(() => log.openStreams === 2, "the hog holding both slots");

    const fair = other.streamEvents(follow());
    const fairEvents: unknown[] = [];
    fair.on("data", (e: unknown) => fairEvents.push(e));
    fair.on("error", () => undefined);

    const ended = await newest;
    expect(ended.error?.code).toBe(Status.UNAVAILABLE);
    expect(ended.error?.details).toContain("fair share");
    await eventually(() => fairEvents.length === 1, "the second connection's stream served");
    const again = await readAll(hog.streamEvents(follow()));
    expect(again.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(again.error?.details).toContain("fair share (1)");
    first.cancel();
    fair.cancel();
  });

  it("stops reading the audit log when the client cancels", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(3);
    const server = await start(log);
    const call = client(server).streamEvents(streamRequest({ cursor: "", untilCaughtUp: false }));
    call.on("error", () => undefined);
    let received = 0;
    call.on("data", () => (received += 1));
    await eventually(() => received === 3 && log.openStreams === 1, "the stream to be following the log");

    call.cancel();

    await eventually(() => log.openStreams === 0, "the server to abort its audit log read");
  });

  it("stops reading the audit log when the client disconnects", async () => {
    const log = new MemoryAuditLog();
    const server = await start(log);
    const c = rawAuthClient(server.port);
    const call = c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: false }));
    call.on("error", () => undefined);
    call.on("data", () => undefined);
    await eventually(() => log.openStreams === 1, "the stream to open");

    c.close();
    call.cancel();

    await eventually(() => log.openStreams === 0, "the server to abort its audit log read");
  });

  it("pulls a bounded number of events for a client that stops reading", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(20_000, "shard-0", 1_000);
    const server = await start(log);
    const call = client(server).streamEvents(streamRequest({ cursor: "", untilCaughtUp: false }));
    call.on("error", () => undefined);
    let received = 0;
    call.on("data", () => {
      received += 1;
      if (received === 5) call.pause();
    });

    await eventually(() => received >= 5, "the first events");
    const pulled = await settled(() => log.pulled);

    // 20 MB are waiting; what the server reads is bounded by the HTTP/2 windows and stream buffers.
    expect(pulled).toBeLessThan(1_000);
    call.resume();
    await eventually(() => log.pulled > pulled, "reading to continue once the client reads again");
    call.cancel();
  });

  it("authenticates with a bearer token: missing → UNAUTHENTICATED, wrong → PERMISSION_DENIED", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(2);
    const server = await start(log, { token: "s3cret-token" });
    const c = client(server);
    const withToken = (value: string) => {
      const metadata = new Metadata();
      metadata.set("authorization", value);
      return metadata;
    };

    const missing = await readAll(c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true })));
    const wrong = await readAll(
      c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true }), withToken("Bearer guess")),
    );
    const notBearer = await readAll(
      c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true }), withToken("s3cret-token")),
    );
    const right = await readAll(
      c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true }), withToken("Bearer s3cret-token")),
    );

    expect(missing.error?.code).toBe(Status.UNAUTHENTICATED);
    expect(wrong.error?.code).toBe(Status.PERMISSION_DENIED);
    expect(notBearer.error?.code).toBe(Status.UNAUTHENTICATED);
    expect(right.error).toBeUndefined();
    expect(right.events).toHaveLength(2);
    expect(log.streamsStarted).toBe(1);
  });

  it("maps audit log errors: domain errors keep their code and message, others become a generic INTERNAL", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(1);
    const server = await start(log);
    const c = client(server);

    log.failNextPull(new DataLossError("cursor position was trimmed"));
    const dataLoss = await readAll(c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true })));
    log.failNextPull(new Error("secret connection string postgres://admin:pw@db"));
    const internal = await readAll(c.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true })));

    expect(dataLoss.error?.code).toBe(Status.DATA_LOSS);
    expect(dataLoss.error?.details).toBe("cursor position was trimmed");
    expect(internal.error?.code).toBe(Status.INTERNAL);
    expect(internal.error?.details).toMatch(/^internal error \(ref [0-9a-f]{12}\)$/);
  });

  it("ends open streams with UNAVAILABLE on shutdown and stops reading the log", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(2);
    const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
    const outcome = readAll(client(server).streamEvents(streamRequest({ cursor: "", untilCaughtUp: false })));
    await eventually(() => log.pulled === 2 && log.openStreams === 1, "the stream to be following");

    await server.shutdown(5_000);

    const { events, error } = await outcome;
    expect(events).toHaveLength(2);
    expect(error?.code).toBe(Status.UNAVAILABLE);
    expect(error?.details).toBe("server shutting down; resume from your last cursor");
    expect(log.openStreams).toBe(0);
  });

  it("counts streamed events and active streams on the registry it is given", async () => {
    const registry = newRegistry();
    const log = new MemoryAuditLog();
    log.appendEvents(7);
    const server = await start(log, { registry });
    const call = client(server).streamEvents(streamRequest({ cursor: "", untilCaughtUp: false }));
    call.on("error", () => undefined);
    call.on("data", () => undefined);
    await eventually(() => log.pulled === 7, "all events read");

    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string) => metrics.find((m) => m.name === name)?.values[0]?.value;
    expect(value("tenant_events_server_events_streamed_total")).toBe(7);
    expect(value("tenant_events_server_active_streams")).toBe(1);
    call.cancel();
  });
});
