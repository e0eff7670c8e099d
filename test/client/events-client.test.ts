import { afterEach, describe, expect, it } from "vitest";
import {
  createEventsClient,
  type EventsClient,
  type EventsClientOptions,
} from "../../src/client/events-client.js";
import { decodeCursor } from "../../src/cursor/cursor.js";
import {
  DataLossError,
  InvalidArgumentError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from "../../src/errors/errors.js";
import type { StreamEvent } from "../../src/gen/auth/auth.js";
import {
  startEventsServer,
  type EventsServer,
  type EventsServerOptions,
} from "../../src/server/events-server.js";
import { MemoryAuditLog, memoryEventUid } from "../fakes/memory-audit-log.js";
import { settled, take } from "../grpc/loopback.js";
import { eventually } from "../support/eventually.js";
import { captureLogs } from "../support/log-capture.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(log: MemoryAuditLog, options: EventsServerOptions = {}): Promise<EventsServer> {
  const server = await startEventsServer(log, { listen: "127.0.0.1:0", ...options });
  cleanups.push(() => server.shutdown(1000));
  return server;
}

async function connect(port: number, options: EventsClientOptions = {}): Promise<EventsClient> {
  const client = await createEventsClient(`127.0.0.1:${port}`, {
    backoff: { initialDelay: 20, maxDelay: 200 },
    ...options,
  });
  cleanups.push(() => client.close());
  return client;
}

const uids = (events: StreamEvent[]) => events.map(memoryEventUid);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `uid-${from + i}`);

describe("events client", () => {
  it("streams every event with its cursor and ends once caught up", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(40);
    const client = await connect((await start(log)).port);

    const events = await take(client.streamEvents("", { untilCaughtUp: true }));

    expect(uids(events)).toEqual(range(0, 40));
    expect(decodeCursor(events.at(-1)?.cursor ?? "").get("shard-0")).toBe("49000000000000000040");
  });

  it("resumes from a cursor, given as text or as a Cursor", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(25);
    const client = await connect((await start(log)).port);
    const all = await take(client.streamEvents("", { untilCaughtUp: true }));
    const tenth = all[9]?.cursor ?? "";

    const fromText = await take(client.streamEvents(tenth, { untilCaughtUp: true }));
    const fromCursor = await take(client.streamEvents(decodeCursor(tenth), { untilCaughtUp: true }));

    expect(uids(fromText)).toEqual(range(10, 25));
    expect(uids(fromCursor)).toEqual(range(10, 25));
  });

  // With checkpoints every 7 events the server dies while the client is inside a batch (7 does not divide
  // 100): what it received after that batch's checkpoint is dropped and comes again from the restarted server.
  for (const [stop, cursors] of [
    ["shutdown", "every-event"],
    ["forceShutdown", "every-event"],
    ["forceShutdown", "checkpoints"],
  ] as const) {
    it(`survives a server ${stop} mid-stream and a restart on the same port with no gap and no duplicate (cursors: ${cursors})`, async () => {
      const log = new MemoryAuditLog(["shard-a", "shard-b"]);
      log.checkpointEvery = 7;
      // Large events, so the server is blocked on flow control when it stops: genuinely mid-stream.
      for (let i = 0; i < 300; i++) log.appendEvents(1, i % 2 === 0 ? "shard-a" : "shard-b", 4_000);
      let server = await startEventsServer(log, { listen: "127.0.0.1:0" });
      const port = server.port;
      const { logger, records: reconnects } = captureLogs("warn");
      const client = await connect(port, { logger });
      const seen: StreamEvent[] = [];
      let restarted: EventsServer | undefined;

      for await (const event of client.streamEvents("", { untilCaughtUp: false, cursors })) {
        seen.push(event);
        if (seen.length === 100) {
          if (stop === "shutdown") await server.shutdown(1000);
          else server.forceShutdown();
          log.appendEvents(50, "shard-b");
          server = restarted = await startEventsServer(log, { listen: `127.0.0.1:${port}` });
        }
        if (seen.length === 350) break;
      }
      await restarted?.shutdown(1000);

      expect(restarted).toBeDefined();
      expect(reconnects.length).toBeGreaterThanOrEqual(1);
      expect(log.lastOptions?.cursors).toBe(cursors);
      expect(uids(seen)).toEqual(range(0, 350));
    });
  }

  it('with cursors: "checkpoints", asks the server for checkpoints and yields each batch once its checkpoint has come', async () => {
    const log = new MemoryAuditLog();
    log.checkpointEvery = 4;
    log.appendEvents(10);
    const client = await connect((await start(log)).port);

    const events = await take(client.streamEvents("", { untilCaughtUp: true, cursors: "checkpoints" }));

    expect(log.lastOptions?.cursors).toBe("checkpoints");
    expect(uids(events)).toEqual(range(0, 10));
    expect(events.map((e) => e.cursor !== "")).toEqual([
      ...[false, false, false, true],
      ...[false, false, false, true],
      ...[false, true],
    ]);
    const every = await take(client.streamEvents("", { untilCaughtUp: true }));
    expect(log.lastOptions?.cursors).toBe("every-event");
    expect(every.map((e) => e.cursor).filter((_, i) => [3, 7, 9].includes(i))).toEqual(
      events.map((e) => e.cursor).filter((c) => c !== ""),
    );
  });

  it("reconnects while the server is down until it is back", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(5);
    const first = await startEventsServer(log, { listen: "127.0.0.1:0" });
    const port = first.port;
    const { logger, records: warnings } = captureLogs("warn");
    const client = await connect(port, { logger });
    const seen: StreamEvent[] = [];
    const consuming = (async () => {
      for await (const event of client.streamEvents("")) {
        seen.push(event);
        if (seen.length === 10) return;
      }
    })();
    await eventually(() => seen.length === 5, "the first events");

    await first.shutdown(1000);
    const attemptsBefore = log.streamsStarted;
    log.appendEvents(5);
    await eventually(() => warnings.length >= 3, "reconnection attempts against the stopped server");
    const second = await start(log, { listen: `127.0.0.1:${port}` });
    await consuming;

    expect(second.port).toBe(port);
    expect(log.streamsStarted).toBeGreaterThan(attemptsBefore);
    expect(uids(seen)).toEqual(range(0, 10));
  });

  it("gives up with UnavailableError after maxAttempts when nothing listens", async () => {
    const log = new MemoryAuditLog();
    const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
    const port = server.port;
    await server.shutdown(1000);
    const client = await connect(port, { backoff: { initialDelay: 5, maxDelay: 10, maxAttempts: 3 } });

    const failure = take(client.streamEvents("", { untilCaughtUp: true }));

    await expect(failure).rejects.toBeInstanceOf(UnavailableError);
    await expect(failure).rejects.toThrow(/after 3 attempt/);
  });

  it("throws typed domain errors for statuses it does not retry", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(1);
    const server = await start(log, { token: "the-token", maxStreams: 1 });
    const good = await connect(server.port, { token: "the-token" });
    const anonymous = await connect(server.port);
    const wrong = await connect(server.port, { token: "not-the-token" });

    await expect(take(good.streamEvents("{", { untilCaughtUp: true }))).rejects.toThrow(InvalidArgumentError);
    await expect(take(good.streamEvents("{", { untilCaughtUp: true }))).rejects.toThrow(/cursor is not JSON/);
    await expect(take(anonymous.streamEvents("", { untilCaughtUp: true }))).rejects.toThrow(
      UnauthenticatedError,
    );
    await expect(take(wrong.streamEvents("", { untilCaughtUp: true }))).rejects.toThrow(
      PermissionDeniedError,
    );
    log.failNextPull(new DataLossError("trimmed"));
    await expect(take(good.streamEvents("", { untilCaughtUp: true }))).rejects.toThrow(DataLossError);

    const controller = new AbortController();
    const holder = good.streamEvents("", { signal: controller.signal });
    await holder.next();
    await expect(take(good.streamEvents("", { untilCaughtUp: true }))).rejects.toThrow(
      ResourceExhaustedError,
    );
    controller.abort();
  });

  it("returns when its signal aborts, and the server stops reading", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(3);
    const client = await connect((await start(log)).port);
    const controller = new AbortController();
    const seen: StreamEvent[] = [];

    for await (const event of client.streamEvents("", { signal: controller.signal })) {
      seen.push(event);
      if (seen.length === 3) setTimeout(() => controller.abort(), 10);
    }

    expect(uids(seen)).toEqual(range(0, 3));
    await eventually(() => log.openStreams === 0, "the server to abort its audit log read");
  });

  it("pulls from the call as the caller consumes: a stalled caller holds the server back", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(20_000, "shard-0", 1_000);
    const client = await connect((await start(log)).port);
    const stream = client.streamEvents("");

    for (let i = 0; i < 5; i++) await stream.next();
    const pulled = await settled(() => log.pulled);

    expect(pulled).toBeLessThan(1_000);
    await stream.return();
    await eventually(() => log.openStreams === 0, "the server to stop reading once the caller stops");
  });
});
