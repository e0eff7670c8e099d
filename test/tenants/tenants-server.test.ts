import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { credentials, Metadata, status as Status, type ServiceError } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, UnavailableError } from "../../src/errors/errors.js";
import {
  Event,
  type SubmitEventsResponse,
  type SubmitUsageReportsResponse,
  TenantsServiceClient,
  type UsageReport,
} from "../../src/gen/tenants/tenants.js";
import { bearerMetadata } from "../../src/grpc/bearer-auth.js";
import { channelCredentials } from "../../src/grpc/tls.js";
import { newRegistry } from "../../src/observability/metrics.js";
import { DuckDbSink } from "../../src/store/duckdb/duckdb-sink.js";
import type { Sink } from "../../src/store/sink.js";
import { hashToken, TenantTokens } from "../../src/tenants/tenant-tokens.js";
import {
  startTenantsServer,
  type TenantsServer,
  type TenantsServerOptions,
} from "../../src/tenants/tenants-server.js";
import { lengthDelimited, rawClient, rawUnary } from "../grpc/raw-calls.js";
import { FakeSink } from "./fake-sink.js";
import { checkHealth, healthClient, reflect, reflectionClient } from "./grpc-probes.js";
import { EVENT_PROBLEMS, USAGE_PROBLEMS } from "../activity/problem-cases.js";
import { activityEvent, activityEvents, NOW_MS, usageReport } from "../activity/sample-activity.js";
import { captureLogs } from "../support/log-capture.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../grpc/fixtures");
const fixture = (name: string) => join(FIXTURES, name);

const ACME = "acme-reporter-token";
const GLOBEX = "globex-reporter-token";
/** The subject CN of the test client certificate. */
const CLIENT_CERT_CN = "tenant-events test client";

const TOKENS = new TenantTokens([
  { id: "acme", tokenSha256: hashToken(ACME) },
  { id: "globex", tokenSha256: hashToken(GLOBEX) },
  { id: "initech", clientCertNames: [CLIENT_CERT_CN] },
]);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function duckdb(): Promise<DuckDbSink> {
  const dir = await mkdtemp(join(tmpdir(), "tenants-server-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const sink = await DuckDbSink.open(join(dir, "events.duckdb"));
  cleanups.push(() => sink.close());
  return sink;
}

async function start(sink: Sink, options: Partial<TenantsServerOptions> = {}): Promise<TenantsServer> {
  const server = await startTenantsServer(sink, {
    listen: "127.0.0.1:0",
    tokens: TOKENS,
    now: () => NOW_MS,
    ...options,
  });
  cleanups.push(() => server.shutdown(1000));
  return server;
}

function client(port: number): TenantsServiceClient {
  const c = new TenantsServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  cleanups.push(() => c.close());
  return c;
}

interface Outcome<R> {
  response: R | undefined;
  error: ServiceError | undefined;
}

/** `null`: no credentials. */
function tokenMetadata(token: string | null): Metadata {
  return token === null ? new Metadata() : bearerMetadata(token);
}

function submitEvents(
  c: TenantsServiceClient,
  events: Event[],
  token: string | null = ACME,
): Promise<Outcome<SubmitEventsResponse>> {
  return new Promise((resolve) =>
    c.submitEvents({ events }, tokenMetadata(token), (error, response) =>
      resolve({ error: error ?? undefined, response: error ? undefined : response }),
    ),
  );
}

function submitUsageReports(
  c: TenantsServiceClient,
  reports: UsageReport[],
  token: string | null = ACME,
): Promise<Outcome<SubmitUsageReportsResponse>> {
  return new Promise((resolve) =>
    c.submitUsageReports({ reports }, tokenMetadata(token), (error, response) =>
      resolve({ error: error ?? undefined, response: error ? undefined : response }),
    ),
  );
}

async function rows(sink: DuckDbSink, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await (await sink.queryConnection()).runAndReadAll(sql);
  return reader.getRowObjectsJS();
}

const EVENT_ROWS = `SELECT tenant, id, epoch_ms(time) AS time_ms, type, "user", user_kind, protocol, cluster,
  session_kind, epoch_us(received_at) AS received_us FROM events ORDER BY tenant, id`;

/** The rows a batch should become under `tenant` (received_at aside). */
function expectedRows(tenant: string, events: Event[]) {
  return events
    .map((e) => ({
      tenant,
      id: e.id,
      time_ms: BigInt(e.time?.seconds ?? 0n) * 1000n + BigInt(Math.floor((e.time?.nanos ?? 0) / 1e6)),
      type: e.type,
      user: e.user,
      user_kind: e.userKind,
      protocol: e.protocol,
      cluster: e.cluster,
      session_kind: e.sessionKind,
      received_us: expect.any(BigInt) as unknown,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

describe("tenants server: storing batches", () => {
  it("acknowledges a valid batch once every event is in the DuckDB sink", async () => {
    const sink = await duckdb();
    const server = await start(sink);
    const events = activityEvents("acme-batch-1", 50);

    const { response, error } = await submitEvents(client(server.port), events);

    expect(error).toBeUndefined();
    expect(response).toEqual({ accepted: 50 });
    expect(await rows(sink, EVENT_ROWS)).toEqual(expectedRows("acme", events));
  });

  it("leaves the same rows when the same batch is sent again", async () => {
    const sink = await duckdb();
    const server = await start(sink);
    const c = client(server.port);
    const events = activityEvents("resend", 40);
    await submitEvents(c, events);
    const first = await rows(sink, EVENT_ROWS);

    const again = await submitEvents(c, events);
    const overlapping = await submitEvents(c, [...events.slice(30), ...activityEvents("more", 5)]);

    expect(again.response).toEqual({ accepted: 40 });
    expect(overlapping.response).toEqual({ accepted: 15 });
    const after = await rows(sink, EVENT_ROWS);
    expect(after.filter((r) => String(r["id"]).startsWith("resend-"))).toEqual(first);
    expect(after).toHaveLength(45);
  });

  it("stores under the tenant of the credentials, never anything else: A's token cannot write as B", async () => {
    const sink = await duckdb();
    const server = await start(sink);
    const c = client(server.port);
    const shared = activityEvents("same-id", 3);

    await submitEvents(c, shared, ACME);
    await submitEvents(c, [...shared, activityEvent({ id: "globex-only" })], GLOBEX);
    await submitEvents(c, shared, ACME);

    const byTenant = await rows(
      sink,
      "SELECT tenant, count(*)::INTEGER AS n FROM events GROUP BY 1 ORDER BY 1",
    );
    expect(byTenant).toEqual([
      { tenant: "acme", n: 3 },
      { tenant: "globex", n: 4 },
    ]);
  });

  it("stores usage reports", async () => {
    const sink = await duckdb();
    const server = await start(sink);
    const reports = [usageReport(), usageReport({ time: activityEvent().time, users: 121n })];

    const { response, error } = await submitUsageReports(client(server.port), reports, GLOBEX);

    expect(error).toBeUndefined();
    expect(response).toEqual({ accepted: 2 });
    expect(
      await rows(sink, "SELECT tenant, cluster, users, auth_connectors FROM usage_reports ORDER BY time"),
    ).toEqual([
      { tenant: "globex", cluster: reports[0]?.cluster, users: 120n, auth_connectors: 2n },
      { tenant: "globex", cluster: reports[0]?.cluster, users: 121n, auth_connectors: 2n },
    ]);
  });

  it("acknowledges an empty batch without writing", async () => {
    const sink = new FakeSink();
    const server = await start(sink);
    expect((await submitEvents(client(server.port), [])).response).toEqual({ accepted: 0 });
    expect(sink.started).toBe(0);
  });
});

describe("tenants server: authentication", () => {
  it("says UNAUTHENTICATED without a token and PERMISSION_DENIED for an unknown one, storing nothing", async () => {
    const sink = new FakeSink();
    const server = await start(sink);
    const c = client(server.port);

    const missing = await submitEvents(c, activityEvents("e", 2), null);
    const unknown = await submitEvents(c, activityEvents("e", 2), "not-a-tenant-token");
    const reportsMissing = await submitUsageReports(c, [usageReport()], null);
    const reportsUnknown = await submitUsageReports(c, [usageReport()], hashToken(ACME));

    expect(missing.error?.code).toBe(Status.UNAUTHENTICATED);
    expect(missing.error?.details).toContain("missing credentials");
    expect(unknown.error?.code).toBe(Status.PERMISSION_DENIED);
    expect(reportsMissing.error?.code).toBe(Status.UNAUTHENTICATED);
    expect(reportsUnknown.error?.code).toBe(Status.PERMISSION_DENIED);
    expect(sink.started).toBe(0);
  });

  it("authenticates before anything else: a stranger learns nothing about batch limits", async () => {
    const server = await start(new FakeSink(), { maxBatchEvents: 1 });
    const { error } = await submitEvents(client(server.port), activityEvents("e", 2), "stranger");
    expect(error?.code).toBe(Status.PERMISSION_DENIED);
  });

  it("identifies a tenant by its client certificate under mutual TLS, and listens beyond loopback", async () => {
    const sink = await duckdb();
    const tls = {
      certPath: fixture("server.pem"),
      keyPath: fixture("server.key"),
      clientCaPath: fixture("ca.pem"),
    };
    const server = await start(sink, { listen: "0.0.0.0:0", tls });
    const withCert = new TenantsServiceClient(
      `localhost:${server.port}`,
      await channelCredentials({
        caPath: fixture("ca.pem"),
        certPath: fixture("client.pem"),
        keyPath: fixture("client.key"),
      }),
    );
    cleanups.push(() => withCert.close());

    const byCert = await submitEvents(withCert, [activityEvent({ id: "cert-1" })], null);
    const byToken = await submitEvents(withCert, [activityEvent({ id: "token-1" })], GLOBEX);

    expect(byCert.error).toBeUndefined();
    expect(byToken.error?.code).toBe(Status.PERMISSION_DENIED);
    expect(byToken.error?.details).toContain("identify different tenants");
    expect(await rows(sink, "SELECT tenant, id FROM events")).toEqual([{ tenant: "initech", id: "cert-1" }]);
  });

  it("ignores client certificates without mutual TLS: a token is needed", async () => {
    const tls = { certPath: fixture("server.pem"), keyPath: fixture("server.key") };
    const sink = new FakeSink();
    const server = await start(sink, { tls });
    const c = new TenantsServiceClient(
      `localhost:${server.port}`,
      await channelCredentials({
        caPath: fixture("ca.pem"),
        certPath: fixture("client.pem"),
        keyPath: fixture("client.key"),
      }),
    );
    cleanups.push(() => c.close());

    expect((await submitEvents(c, [activityEvent()], null)).error?.code).toBe(Status.UNAUTHENTICATED);
    expect((await submitEvents(c, [activityEvent()], ACME)).error).toBeUndefined();
    expect(sink.events.map((w) => w.tenant)).toEqual(["acme"]);
  });

  it("refuses to listen beyond loopback without TLS", async () => {
    await expect(startTenantsServer(new FakeSink(), { listen: "0.0.0.0:0", tokens: TOKENS })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(startTenantsServer(new FakeSink(), { listen: "[::]:0", tokens: TOKENS })).rejects.toThrow(
      "refusing to listen on [::]:0 without TLS",
    );
  });
});

describe("tenants server: validation", () => {
  it.each(EVENT_PROBLEMS)(
    "refuses a batch with %s: INVALID_ARGUMENT naming it, nothing stored",
    async (_name, overrides, message) => {
      const sink = new FakeSink();
      const server = await start(sink);
      const events = [...activityEvents("ok", 3), activityEvent({ id: "bad", ...overrides })];

      const { error } = await submitEvents(client(server.port), events);

      expect(error?.code).toBe(Status.INVALID_ARGUMENT);
      expect(error?.details).toContain("event 3");
      expect(error?.details).toContain(message);
      expect(sink.started).toBe(0);
    },
  );

  it.each(USAGE_PROBLEMS)("refuses usage reports with %s", async (_name, overrides, message) => {
    const sink = new FakeSink();
    const server = await start(sink);

    const { error } = await submitUsageReports(client(server.port), [usageReport(), usageReport(overrides)]);

    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(error?.details).toContain("usage report 1: ");
    expect(error?.details).toContain(message);
    expect(sink.started).toBe(0);
  });

  it("names up to maxReportedProblems problems and counts the rest", async () => {
    const server = await start(new FakeSink(), { maxReportedProblems: 3 });
    const events = activityEvents("e", 8).map((e) => ({ ...e, protocol: "telnet" }));

    const { error } = await submitEvents(client(server.port), events);

    expect(error?.details).toContain("(8 problems)");
    expect(error?.details?.match(/protocol "telnet" is unknown/g)).toHaveLength(3);
    expect(error?.details).toMatch(/; and 5 more$/);
  });

  it("refuses a batch over the event or byte limit with RESOURCE_EXHAUSTED, before validating it", async () => {
    const sink = new FakeSink();
    const server = await start(sink, { maxBatchEvents: 5, maxBatchUsageReports: 2, maxBatchBytes: 4096 });
    const c = client(server.port);

    const tooMany = await submitEvents(
      c,
      activityEvents("e", 6).map((e) => ({ ...e, protocol: "x" })),
    );
    const tooBig = await submitEvents(c, [activityEvent({ id: "x".repeat(200), type: "t".repeat(4000) })]);
    const farTooBig = await submitEvents(c, [activityEvent({ type: "t".repeat(2 * 1024 * 1024) })]);
    const tooManyReports = await submitUsageReports(c, [usageReport(), usageReport(), usageReport()]);
    const justRight = await submitEvents(c, activityEvents("e", 5));

    expect(tooMany.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(tooMany.error?.details).toBe(
      "batch too large: 6 events, over the limit of 5; send smaller batches",
    );
    expect(tooBig.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(tooBig.error?.details).toMatch(/^batch too large: \d+ bytes, over the limit of 4096/);
    // Past the limit and its slack, grpc-js refuses the message before it becomes a request.
    expect(farTooBig.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(tooManyReports.error?.details).toContain("3 usage reports, over the limit of 2");
    expect(justRight.error).toBeUndefined();
    expect(sink.events).toHaveLength(1);
  });
});

describe("tenants server: malformed requests", () => {
  /** SubmitEvents whose first event's id holds `bytes` as they are. */
  function eventWithId(bytes: number[]): Buffer {
    const rest = Buffer.from(Event.encode(activityEvent({ id: "" })).finish());
    return lengthDelimited(1, Buffer.concat([lengthDelimited(1, Buffer.from(bytes)), rest]));
  }

  const GARBAGE = Buffer.from([0x0a, 0x05, 0x01]);
  const methods = ["SubmitEvents", "SubmitUsageReports"] as const;

  it.each(methods)(
    "%s: authenticates a request that is not protobuf first, then refuses it with INVALID_ARGUMENT",
    async (method) => {
      const sink = new FakeSink();
      const server = await start(sink);
      const raw = rawClient(server.port);
      cleanups.push(() => raw.close());
      const call = (token: string | null) =>
        rawUnary(raw, `/tenants.TenantsService/${method}`, GARBAGE, {
          metadata: tokenMetadata(token),
          deadlineMs: 5000,
        });

      expect((await call(null)).code).toBe(Status.UNAUTHENTICATED);
      expect((await call("stranger")).code).toBe(Status.PERMISSION_DENIED);
      const refused = await call(ACME);
      expect(refused.code).toBe(Status.INVALID_ARGUMENT);
      expect(refused.details).toMatch(/^the request is not a valid Submit\w+Request message/);
      expect(sink.started).toBe(0);
    },
  );

  it("refuses ids that are not UTF-8 rather than storing them as one replaced id", async () => {
    const sink = new FakeSink();
    const registry = newRegistry();
    const server = await start(sink, { registry });
    const raw = rawClient(server.port);
    cleanups.push(() => raw.close());
    const submit = (bytes: Buffer) =>
      rawUnary(raw, "/tenants.TenantsService/SubmitEvents", bytes, {
        metadata: tokenMetadata(ACME),
        deadlineMs: 5000,
      });

    // "bad-\xff" and "bad-\xfe": both would decode to "bad-\ufffd".
    const first = await submit(eventWithId([0x62, 0x61, 0x64, 0x2d, 0xff]));
    const second = await submit(eventWithId([0x62, 0x61, 0x64, 0x2d, 0xfe]));

    for (const outcome of [first, second]) {
      expect(outcome.code).toBe(Status.INVALID_ARGUMENT);
      expect(outcome.details).toBe("events[0].id is not valid UTF-8; nothing stored");
    }
    expect(sink.started).toBe(0);
    const batches = await registry.getSingleMetric("tenant_events_tenants_batches_total")?.get();
    expect(batches?.values).toContainEqual(
      expect.objectContaining({
        labels: expect.objectContaining({ tenant: "acme", result: "rejected", reason: "invalid" }) as unknown,
        value: 2,
      }),
    );
  });
});

describe("tenants server: rate limit", () => {
  it("refuses a tenant past its events/s with RESOURCE_EXHAUSTED, others unaffected, and admits after a refill", async () => {
    const clock = { now: NOW_MS };
    const registry = newRegistry();
    const sink = new FakeSink();
    const server = await start(sink, {
      now: () => clock.now,
      maxBatchEvents: 100,
      rateLimit: { eventsPerSecond: 10, burst: 100 },
      registry,
    });
    const c = client(server.port);

    const burst = await submitEvents(c, activityEvents("a", 100), ACME);
    const over = await submitEvents(c, activityEvents("b", 10), ACME);
    const other = await submitEvents(c, activityEvents("c", 100), GLOBEX);
    clock.now += 1000;
    const refilled = await submitEvents(c, activityEvents("b", 10), ACME);

    expect(burst.error).toBeUndefined();
    expect(over.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(over.error?.details).toContain("rate limit: tenant acme may submit 10 events/s (bursts of 100)");
    expect(other.error).toBeUndefined();
    expect(refilled.error).toBeUndefined();
    expect(sink.events.map((w) => [w.tenant, w.events.length])).toEqual([
      ["acme", 100],
      ["globex", 100],
      ["acme", 10],
    ]);
    const limited = await registry.getSingleMetric("tenant_events_tenants_rate_limited_events_total")?.get();
    expect(limited?.values.filter((v) => v.value !== 0)).toEqual([{ labels: { tenant: "acme" }, value: 10 }]);
    // Every configured tenant's series exists from the start, so rate() works before its first refusal.
    expect(limited?.values.map((v) => v.labels["tenant"]).sort()).toEqual(["acme", "globex", "initech"]);
  });

  it("does not charge a batch the sink failed to store", async () => {
    const sink = new FakeSink();
    const server = await start(sink, { maxBatchEvents: 50, rateLimit: { eventsPerSecond: 1, burst: 50 } });
    const c = client(server.port);
    const events = activityEvents("e", 50);

    sink.failure = new UnavailableError("sink down");
    const failed = await submitEvents(c, events);
    sink.failure = undefined;
    const retried = await submitEvents(c, events);

    expect(failed.error?.code).toBe(Status.UNAVAILABLE);
    expect(retried.error).toBeUndefined();
  });
});

describe("tenants server: the sink", () => {
  it("answers UNAVAILABLE when the sink is down, acknowledging nothing", async () => {
    const sink = new FakeSink();
    sink.failure = new UnavailableError("the sink is unavailable: connection refused");
    const server = await start(sink);

    const events = await submitEvents(client(server.port), activityEvents("e", 5));
    const reports = await submitUsageReports(client(server.port), [usageReport()]);

    expect(events.error?.code).toBe(Status.UNAVAILABLE);
    expect(events.error?.details).toBe("the sink is unavailable: connection refused");
    expect(events.response).toBeUndefined();
    expect(reports.error?.code).toBe(Status.UNAVAILABLE);
    expect(sink.events).toEqual([]);
  });

  it("answers INTERNAL without details for an unexpected sink failure", async () => {
    const sink = new FakeSink();
    sink.failure = new Error("disk controller on fire at /var/lib/secret");
    const server = await start(sink);

    const { error } = await submitEvents(client(server.port), activityEvents("e", 5));

    expect(error?.code).toBe(Status.INTERNAL);
    expect(error?.details).toMatch(/^internal error \(ref [0-9a-f]{12}\)$/);
  });

  it("answers only once the sink has stored the batch", async () => {
    const sink = new FakeSink();
    sink.hold();
    const server = await start(sink);
    let answered = false;
    const call = submitEvents(client(server.port), activityEvents("e", 5)).then((outcome) => {
      answered = true;
      return outcome;
    });

    await sink.whenStarted(1);
    // A round trip on another call shows the server is responsive while this one waits for the sink.
    expect(await checkHealth(healthClientFor(server.port), "tenants.TenantsService")).toBe("SERVING");
    expect(answered).toBe(false);
    expect(sink.events).toEqual([]);
    sink.release();

    expect((await call).response).toEqual({ accepted: 5 });
    expect(sink.events).toHaveLength(1);
  });
});

describe("tenants server: lifecycle and observability", () => {
  it("shuts down gracefully: a write in flight completes and is acknowledged, later calls are refused", async () => {
    const sink = new FakeSink();
    sink.hold();
    const server = await start(sink);
    const c = client(server.port);
    const inFlight = submitEvents(c, activityEvents("e", 5));
    await sink.whenStarted(1);

    const stopping = server.shutdown(10_000);
    const late = await submitEvents(c, activityEvents("late", 1));
    sink.release();

    expect((await inFlight).response).toEqual({ accepted: 5 });
    await stopping;
    expect(late.error?.code).toBe(Status.UNAVAILABLE);
    expect(sink.events.map((w) => w.events.length)).toEqual([5]);
  });

  it("acknowledges nothing when forced down with a write in flight", async () => {
    const sink = new FakeSink();
    sink.hold();
    const server = await start(sink);
    const inFlight = submitEvents(client(server.port), activityEvents("e", 5));
    await sink.whenStarted(1);

    server.forceShutdown();

    const { error, response } = await inFlight;
    expect(response).toBeUndefined();
    // Either way the reporter retries (the shared status mapping makes CANCELLED unavailable).
    expect([Status.UNAVAILABLE, Status.CANCELLED]).toContain(error?.code);
    sink.release();
  });

  it("reports health for tenants.TenantsService and lists it through reflection", async () => {
    const server = await start(new FakeSink());
    const health = healthClientFor(server.port);
    const reflection = reflectionClient(server.port);
    cleanups.push(() => reflection.close());

    const listed = await reflect(reflection, { list_services: "*" });
    const described = await reflect(reflection, { file_containing_symbol: "tenants.TenantsService" });

    expect(await checkHealth(health, "tenants.TenantsService")).toBe("SERVING");
    expect(await checkHealth(health, "")).toBe("SERVING");
    expect(listed.list_services_response?.service.map((s) => s.name)).toContain("tenants.TenantsService");
    const files = described.file_descriptor_response?.file_descriptor_proto.map((b) => b.toString("latin1"));
    expect(files?.some((f) => f.includes("SubmitUsageReports"))).toBe(true);
  });

  it("counts batches by outcome, events written and sink latency", async () => {
    const registry = newRegistry();
    const sink = new FakeSink();
    const server = await start(sink, { registry });
    const c = client(server.port);

    await submitEvents(c, activityEvents("e", 7));
    await submitEvents(c, activityEvents("e", 3), GLOBEX);
    await submitEvents(c, [activityEvent({ protocol: "x" })]);
    await submitEvents(c, [activityEvent()], "wrong");
    sink.failure = new UnavailableError("down");
    await submitEvents(c, [activityEvent()]);
    await submitUsageReports(c, [usageReport()]);
    sink.failure = undefined;
    await submitUsageReports(c, [usageReport()]);

    const values = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values ?? [];
    const counted = async (name: string) => (await values(name)).filter((v) => v.value !== 0);
    expect(await values("tenant_events_tenants_batches_total")).toEqual(
      expect.arrayContaining([
        { labels: { rpc: "submit_events", tenant: "acme", result: "accepted", reason: "" }, value: 1 },
        { labels: { rpc: "submit_events", tenant: "globex", result: "accepted", reason: "" }, value: 1 },
        { labels: { rpc: "submit_events", tenant: "acme", result: "rejected", reason: "invalid" }, value: 1 },
        {
          labels: { rpc: "submit_events", tenant: "", result: "rejected", reason: "permission_denied" },
          value: 1,
        },
        {
          labels: { rpc: "submit_events", tenant: "acme", result: "rejected", reason: "sink_unavailable" },
          value: 1,
        },
        {
          labels: {
            rpc: "submit_usage_reports",
            tenant: "acme",
            result: "rejected",
            reason: "sink_unavailable",
          },
          value: 1,
        },
        { labels: { rpc: "submit_usage_reports", tenant: "acme", result: "accepted", reason: "" }, value: 1 },
      ]),
    );
    expect(await counted("tenant_events_tenants_events_written_total")).toEqual([
      { labels: { tenant: "acme" }, value: 7 },
      { labels: { tenant: "globex" }, value: 3 },
    ]);
    expect(await values("tenant_events_tenants_events_written_total")).toContainEqual({
      labels: { tenant: "initech" },
      value: 0,
    });
    expect(await counted("tenant_events_tenants_usage_reports_written_total")).toEqual([
      { labels: { tenant: "acme" }, value: 1 },
    ]);
    const latency = (await values("tenant_events_tenants_sink_write_seconds")) as {
      metricName?: string;
      labels: Record<string, unknown>;
      value: number;
    }[];
    const count = (rpc: string, outcome: string) =>
      latency.find(
        (v) =>
          v.metricName === "tenant_events_tenants_sink_write_seconds_count" &&
          v.labels["rpc"] === rpc &&
          v.labels["outcome"] === outcome,
      )?.value;
    expect(count("submit_events", "ok")).toBe(2);
    expect(count("submit_events", "error")).toBe(1);
    expect(count("submit_usage_reports", "ok")).toBe(1);
  });

  it("logs the tenant of each batch and never a token", async () => {
    const { logger, text } = captureLogs();
    const server = await start(new FakeSink(), { logger });
    const c = client(server.port);

    await submitEvents(c, activityEvents("e", 2), ACME);
    await submitEvents(c, [activityEvent({ protocol: "x" })], GLOBEX);
    await submitEvents(c, [activityEvent()], "guessed-token-value");

    const log = text();
    expect(log).toContain('"tenant":"acme"');
    expect(log).toContain('"tenant":"globex"');
    expect(log).toContain('"reason":"permission_denied"');
    for (const secret of [ACME, GLOBEX, "guessed-token-value", hashToken(ACME)])
      expect(log).not.toContain(secret);
  });
});

function healthClientFor(port: number) {
  const health = healthClient(port);
  cleanups.push(() => health.close());
  return health;
}
