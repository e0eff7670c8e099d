import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Metadata, status as Status, type Client } from "@grpc/grpc-js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileAuditLog } from "../../src/auditlog/file/index.js";
import { StreamEventsRequest } from "../../src/gen/auth/auth.js";
import {
  SubmitEventsRequest,
  SubmitUsageReportsRequest,
  type Event,
  type UsageReport,
} from "../../src/gen/tenants/tenants.js";
import { startEventsServer, type EventsServer } from "../../src/server/events-server.js";
import { hashToken, startTenantsServer, TenantTokens, type TenantsServer } from "../../src/tenants/index.js";
import { activityEvent, usageReport } from "../activity/sample-activity.js";
import { FakeSink } from "../tenants/fake-sink.js";
import { checkHealth, healthClient } from "../tenants/grpc-probes.js";
import { hostileString, isWellFormed } from "../text/unicode-arbitraries.js";
import { lengthDelimited, rawClient, rawServerStream, rawUnary, type RawOutcome } from "./raw-calls.js";

/**
 * Whatever a client puts in any field it controls (the cursor, every request field, metadata), each
 * call of both services ends with a status before its deadline, and the servers stay SERVING.
 */

const TOKEN = "every-call-answered-token";
/** A call answers in milliseconds; one that waits this long got no status. */
const DEADLINE_MS = 3000;
const FIXTURE = join(import.meta.dirname, "..", "fixtures", "teleport-events.jsonl");

let dir: string;
let log: FileAuditLog;
let events: EventsServer;
let tenants: TenantsServer;
let eventsClient: Client;
let tenantsClient: Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "every-call-answered-"));
  await copyFile(FIXTURE, join(dir, "2026-09-01.log"));
  log = new FileAuditLog(dir);
  events = await startEventsServer(log, { listen: "127.0.0.1:0", token: TOKEN });
  tenants = await startTenantsServer(new FakeSink(), {
    listen: "127.0.0.1:0",
    tokens: new TenantTokens([{ id: "acme", tokenSha256: hashToken(TOKEN) }]),
  });
  eventsClient = rawClient(events.port);
  tenantsClient = rawClient(tenants.port);
});

afterAll(async () => {
  eventsClient?.close();
  tenantsClient?.close();
  await events?.shutdown(500);
  await tenants?.shutdown(500);
  await log?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Bytes as a string field may hold them on the wire: any bytes, CESU-8 surrogates, cut characters. */
const hostileBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  hostileString({ maxLength: 40 }).map((s) => Buffer.from(s, "utf8")),
  fc.constantFrom(
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xed, 0xbf, 0xbf, 0x41]),
    Buffer.from([0xf0, 0x9f, 0x98]),
    Buffer.from([0xc3]),
    Buffer.from([0xff, 0xfe]),
  ),
);

/** A JSON string literal for `text` with every code unit escaped, so lone surrogates survive as text. */
function escapedJson(text: string): string {
  return `"${[...Array(text.length).keys()].map((i) => `\\u${text.charCodeAt(i).toString(16).padStart(4, "0")}`).join("")}"`;
}

const jsonText = fc.oneof(
  hostileString({ maxLength: 120 }).map((s) => JSON.stringify(s)),
  hostileString({ maxLength: 120 }).map(escapedJson),
);

/** Cursors near a real one: valid or hostile shard ids and sequence numbers, hostile keys, raw text. */
const cursorText: fc.Arbitrary<string> = fc.oneof(
  hostileString({ maxLength: 200 }),
  fc
    .tuple(
      jsonText,
      fc.oneof(
        jsonText,
        fc.stringMatching(/^[0-9]{1,20}$/).map((s) => `"${s}"`),
      ),
    )
    .map(([shard, seq]) => `{"shard_id_to_sequence_number":{${shard}:${seq}}}`),
  fc
    .tuple(jsonText, jsonText)
    .map(([key, value]) => `{${key}:{"2026-09-01.log":"0"},"shard_id_to_sequence_number":${value}}`),
  fc.constant('{"shard_id_to_sequence_number":{"2026-09-01.log":"999999999"}}'),
);

/** Metadata with a valid, missing or hostile token, and hostile extra entries. */
const metadata: fc.Arbitrary<Metadata> = fc
  .record({
    authorization: fc.oneof(
      fc.constant(`Bearer ${TOKEN}`),
      fc.constant(undefined),
      fc.string({ unit: "binary-ascii", maxLength: 80 }).map((s) => s.replace(/[^ -~]/g, "")),
      fc.string({ unit: "binary-ascii", maxLength: 60 }).map((s) => `Bearer ${s.replace(/[^!-~]/g, "")}`),
    ),
    extra: fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), hostileBytes), { maxLength: 3 }),
  })
  .map(({ authorization, extra }) => {
    const m = new Metadata();
    if (authorization !== undefined) m.set("authorization", authorization);
    for (const [key, value] of extra) m.add(`x-${key}-bin`, Buffer.from(value));
    return m;
  });

function expectAnswered(outcome: RawOutcome): void {
  expect(outcome.code, outcome.details).not.toBe(Status.DEADLINE_EXCEEDED);
  expect(outcome.code, outcome.details).not.toBe(Status.CANCELLED);
  expect(isWellFormed(outcome.details)).toBe(true);
}

async function expectServing(port: number): Promise<void> {
  const health = healthClient(port);
  try {
    expect(await checkHealth(health, "")).toBe("SERVING");
  } finally {
    health.close();
  }
}

describe("every call gets a status, whatever the client sends", () => {
  it("StreamEvents: any cursor, any request field, any metadata", async () => {
    const request = fc.oneof(
      fc
        .record({ cursor: cursorText, cursorMode: fc.integer({ min: -3, max: 5 }) })
        .map((r) => StreamEventsRequest.encode({ ...r, untilCaughtUp: true }).finish()),
      fc
        .tuple(hostileBytes, fc.uint8Array({ maxLength: 8 }))
        .map(([cursor, tail]) =>
          Buffer.concat([lengthDelimited(1, cursor), Buffer.from([0x10, 0x01]), Buffer.from(tail)]),
        ),
    );
    await fc.assert(
      fc.asyncProperty(request, metadata, async (bytes, md) => {
        const outcome = await rawServerStream(eventsClient, "/auth.AuthService/StreamEvents", bytes, {
          metadata: md,
          deadlineMs: DEADLINE_MS,
        });
        expectAnswered(outcome);
      }),
      { numRuns: 150 },
    );
    await expectServing(events.port);
  }, 120_000);

  it("SubmitEvents and SubmitUsageReports: any field, any bytes, any metadata", async () => {
    const text = hostileString({ maxLength: 80 });
    const event: fc.Arbitrary<Event> = fc
      .record({
        id: text,
        type: text,
        user: text,
        protocol: text,
        cluster: text,
        sessionKind: text,
        userKind: fc.integer({ min: -2, max: 4 }),
      })
      .map((fields) => activityEvent(fields));
    const report: fc.Arbitrary<UsageReport> = text.map((cluster) => usageReport({ cluster }));
    const call = fc.oneof(
      fc.array(event, { maxLength: 3 }).map((list) => ({
        method: "SubmitEvents",
        bytes: SubmitEventsRequest.encode({ events: list }).finish(),
      })),
      fc.array(report, { maxLength: 3 }).map((list) => ({
        method: "SubmitUsageReports",
        bytes: SubmitUsageReportsRequest.encode({ reports: list }).finish(),
      })),
      fc.tuple(fc.integer({ min: 1, max: 8 }), hostileBytes).map(([field, bytes]) => ({
        method: "SubmitEvents",
        bytes: lengthDelimited(1, lengthDelimited(field, bytes)),
      })),
      fc
        .tuple(fc.constantFrom("SubmitEvents", "SubmitUsageReports"), fc.uint8Array({ maxLength: 60 }))
        .map(([method, bytes]) => ({ method, bytes })),
    );
    await fc.assert(
      fc.asyncProperty(call, metadata, async ({ method, bytes }, md) => {
        const outcome = await rawUnary(tenantsClient, `/tenants.TenantsService/${method}`, bytes, {
          metadata: md,
          deadlineMs: DEADLINE_MS,
        });
        expectAnswered(outcome);
      }),
      { numRuns: 150 },
    );
    await expectServing(tenants.port);
  }, 120_000);

  it("Health.Check on both servers: any service name", async () => {
    await fc.assert(
      fc.asyncProperty(hostileBytes, fc.boolean(), async (name, onEvents) => {
        const outcome = await rawUnary(
          onEvents ? eventsClient : tenantsClient,
          "/grpc.health.v1.Health/Check",
          lengthDelimited(1, name),
          { deadlineMs: DEADLINE_MS },
        );
        expectAnswered(outcome);
      }),
      { numRuns: 60 },
    );
    await expectServing(events.port);
    await expectServing(tenants.port);
  }, 120_000);
});
