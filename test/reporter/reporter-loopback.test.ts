import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { createEventsClient } from "../../src/client/events-client.js";
import { decodeCursor } from "../../src/cursor/cursor.js";
import { PermissionDeniedError } from "../../src/errors/errors.js";
import { startEventsServer } from "../../src/server/events-server.js";
import { HmacAnonymizer } from "../../src/reporter/anonymizer/hmac-anonymizer.js";
import { FileCursorStore } from "../../src/reporter/cursor-store/file-cursor-store.js";
import type { EventSource } from "../../src/reporter/event-source.js";
import { Reporter } from "../../src/reporter/reporter.js";
import { createGrpcSubmitter } from "../../src/reporter/submitter/grpc-submitter.js";
import { MemoryAuditLog } from "../fakes/memory-audit-log.js";
import { fixtureEvents, fixtureLines, identifyingStrings } from "./support/fixture-events.js";
import { StubTenantsService } from "./support/stub-tenants-service.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Uids of the fixture events that make someone active (see activity-builder.test.ts). */
const activeLines = [0, 1, 3, 6, 7, 8, 9, 10, 11, 12, 14, 17, 19];
const uidOf = (line: number): string => (JSON.parse(fixtureLines[line] as string) as { uid: string }).uid;

async function pipeline(log: MemoryAuditLog, tenantsToken = "tenant-token", maxInFlightBatches?: number) {
  const dir = await mkdtemp(join(tmpdir(), "reporter-loopback-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const events = await startEventsServer(log, { listen: "127.0.0.1:0", token: "events-token" });
  cleanups.push(() => events.shutdown(1000));
  const tenants = new StubTenantsService("tenant-token");
  const tenantsPort = await tenants.start();
  cleanups.push(() => tenants.stop());
  const client = await createEventsClient(`127.0.0.1:${events.port}`, { token: "events-token" });
  cleanups.push(() => client.close());
  const submitter = await createGrpcSubmitter(`127.0.0.1:${tenantsPort}`, { token: tenantsToken });
  cleanups.push(() => submitter.close());
  const cursorPath = join(dir, "cursor");
  const source: EventSource = client;
  const reporter = new Reporter({
    source,
    submitter,
    cursorStore: new FileCursorStore(cursorPath),
    anonymizer: new HmacAnonymizer(new TextEncoder().encode("tenant-key-0001")),
    untilCaughtUp: true,
    batchSize: 4,
    retry: { initialDelay: 5, maxDelay: 20 },
    maxInFlightBatches,
  });
  return { tenants, reporter, cursorPath };
}

function logWithFixtures(): MemoryAuditLog {
  const log = new MemoryAuditLog(["shard-a", "shard-b"]);
  fixtureEvents().forEach((event, i) => log.append(i % 2 === 0 ? "shard-a" : "shard-b", event));
  return log;
}

describe("Reporter over loopback gRPC (events server → reporter → tenants stand-in)", () => {
  it("delivers every active event once, anonymized, and checkpoints a real cursor", async () => {
    const log = logWithFixtures();
    const { tenants, reporter, cursorPath } = await pipeline(log);
    tenants.failNext.push(status.UNAVAILABLE, status.DEADLINE_EXCEEDED);

    const result = await reporter.run(new AbortController().signal);

    expect([...tenants.stored.keys()].sort()).toEqual(activeLines.map(uidOf).sort());
    expect(result.eventsConsumed).toBe(fixtureLines.length);
    const cursor = decodeCursor((await readFile(cursorPath, "utf8")).trimEnd());
    expect([...cursor.keys()].sort()).toEqual(["shard-a", "shard-b"]);
    for (const bytes of tenants.requestBytes) {
      for (const secret of identifyingStrings())
        expect(bytes.includes(secret), `${secret} leaked`).toBe(false);
    }
  });

  it("resumes from its cursor file: a second run sends only what was appended since", async () => {
    const log = logWithFixtures();
    const { tenants, reporter } = await pipeline(log);
    await reporter.run(new AbortController().signal);
    const before = tenants.requestBytes.length;
    log.appendEvents(3, "shard-b");

    const second = await reporter.run(new AbortController().signal);

    expect(second.eventsConsumed).toBe(3);
    expect(second.eventsSubmitted).toBe(3);
    expect(tenants.requestBytes.length).toBe(before + 1);
    expect(tenants.stored.size).toBe(activeLines.length + 3);
  });

  it("stops with PERMISSION_DENIED and no checkpoint when the tenants service refuses its token", async () => {
    // One batch in flight: with two, the second may be on its way before the first refusal arrives.
    const { reporter, cursorPath, tenants } = await pipeline(logWithFixtures(), "wrong-token", 1);
    await expect(reporter.run(new AbortController().signal)).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(tenants.calls).toBe(1);
    await expect(readFile(cursorPath, "utf8")).rejects.toThrow(/ENOENT/);
  });
});
