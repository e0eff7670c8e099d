import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { appendEvents, FileAuditLog } from "../../src/auditlog/file/index.js";
import { createEventsClient } from "../../src/client/events-client.js";
import { FailedPreconditionError } from "../../src/errors/errors.js";
import { SubmitEventsRequest, type Event } from "../../src/gen/tenants/tenants.js";
import { newRegistry, type Registry } from "../../src/observability/metrics.js";
import { HmacAnonymizer } from "../../src/reporter/anonymizer/hmac-anonymizer.js";
import type { CursorStore } from "../../src/reporter/cursor-store/cursor-store.js";
import { FileCursorStore } from "../../src/reporter/cursor-store/file-cursor-store.js";
import { Reporter, type ReporterOptions } from "../../src/reporter/reporter.js";
import { createGrpcSubmitter } from "../../src/reporter/submitter/grpc-submitter.js";
import { startEventsServer } from "../../src/server/events-server.js";
import { DuckDbSink } from "../../src/store/duckdb/duckdb-sink.js";
import { hashToken, startTenantsServer, TenantTokens, type TenantsServer } from "../../src/tenants/index.js";
import { parseMonthRange } from "../../src/mau/calendar.js";
import { DuckDbUsageQueries } from "../../src/store/duckdb/duckdb-usage-queries.js";
import type { MauRow } from "../../src/mau/usage-rows.js";
import { runCli } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { freePort, startCli } from "../support/processes.js";
import { RecordingSink, type RecordedWrite } from "../support/recording-sink.js";
import { fixtureLines, identifyingStrings } from "./support/fixture-events.js";

const TENANT = "acme";
const TENANT_TOKEN = "acme-reporter-token-4b2e";
const KEY = "cluster-id-5d31";

/** Fixture lines whose events make someone active (see activity-builder.test.ts). */
const ACTIVE_LINES = [0, 1, 3, 6, 7, 8, 9, 10, 11, 12, 14, 17, 19];
const fixture = (line: number) =>
  JSON.parse(fixtureLines[line] as string) as { uid: string; user: string; time: string };
const ACTIVE_IDS = ACTIVE_LINES.map((line) => fixture(line).uid).sort();

/**
 * September's MAU of the fixtures, by hand: alice (login, ssh), bob (kube session, exec, kube request,
 * port forward), carol (db), dave (app), erin (desktop), charlie (ssh); the bot's ssh session.
 */
const EXPECTED_MAU: [kind: string, protocol: string | null, mau: number][] = [
  ["human", null, 6],
  ["human", "ssh", 2],
  ["human", "kube", 1],
  ["human", "db", 1],
  ["human", "app", 1],
  ["human", "desktop", 1],
  ["bot", null, 1],
  ["bot", "ssh", 1],
];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temp directory holding the fixtures as Teleport's file audit log (`log/`). */
async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "reporter-e2e-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const { written } = await appendEvents(join(dir, "log"), fixtureLines);
  expect(written).toBe(fixtureLines.length);
  return dir;
}

/** The events server over the file audit log in `dir`. */
async function tenantSide(dir: string): Promise<string> {
  const log = new FileAuditLog(join(dir, "log"));
  cleanups.push(() => log.close());
  const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
  cleanups.push(() => server.shutdown(1000));
  return `127.0.0.1:${server.port}`;
}

/** The real tenants service over DuckDB (behind a recording sink), restartable on its port. */
class CentralSide {
  readonly registry = newRegistry();
  server: TenantsServer | undefined;

  private constructor(
    readonly duckdb: DuckDbSink,
    readonly sink: RecordingSink,
    readonly port: number,
  ) {}

  static async open(dir: string, port = 0): Promise<CentralSide> {
    const duckdb = await DuckDbSink.open(join(dir, "usage.duckdb"));
    const central = new CentralSide(duckdb, new RecordingSink(duckdb), port);
    cleanups.push(async () => {
      await central.server?.shutdown(1000);
      await duckdb.close();
    });
    return central;
  }

  get address(): string {
    return `127.0.0.1:${this.server?.port ?? this.port}`;
  }

  /** Starts the service; on a fixed port, waits for the previous listener to let go of it. */
  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.server = await startTenantsServer(this.sink, {
          listen: `127.0.0.1:${this.server?.port ?? this.port}`,
          tokens: new TenantTokens([{ id: TENANT, tokenSha256: hashToken(TENANT_TOKEN) }]),
          registry: this.registry,
          rateLimit: { eventsPerSecond: Infinity },
        });
        return;
      } catch (err) {
        if (!(err instanceof FailedPreconditionError) || attempt >= 100) throw err;
        await sleep(20);
      }
    }
  }

  /** (tenant, id) of every stored event row. */
  async rows(): Promise<{ tenant: string; id: string; user: string }[]> {
    const connection = await this.duckdb.queryConnection();
    const reader = await connection.runAndReadAll(`SELECT tenant, id, "user" FROM events ORDER BY id`);
    return reader.getRowObjectsJS() as { tenant: string; id: string; user: string }[];
  }

  async mau(): Promise<MauRow[]> {
    const queries = await DuckDbUsageQueries.fromSink(this.duckdb);
    try {
      return await queries.monthlyActiveUsers({ months: parseMonthRange("2026-09"), includeBots: true });
    } finally {
      await queries.close();
    }
  }

  /** Accepted SubmitEvents batches, as the service's own metric counts them. */
  async acceptedBatches(): Promise<number> {
    const metric = await this.registry.getSingleMetric("tenant_events_tenants_batches_total")?.get();
    return (metric?.values ?? [])
      .filter((v) => v.labels["rpc"] === "submit_events" && v.labels["result"] === "accepted")
      .reduce((sum, v) => sum + v.value, 0);
  }
}

/** An in-process reporter with a real events client and gRPC submitter; `until caught up` unless told. */
async function reporter(
  eventsAddress: string,
  tenantsAddress: string,
  options: Partial<ReporterOptions> & { cursorPath: string },
): Promise<Reporter> {
  const source = await createEventsClient(eventsAddress);
  cleanups.push(() => source.close());
  const submitter = await createGrpcSubmitter(tenantsAddress, {
    token: TENANT_TOKEN,
    // Reconnect promptly once a stopped service is back, so the test does not wait on grpc-js's backoff.
    channelOptions: { "grpc.initial_reconnect_backoff_ms": 50, "grpc.max_reconnect_backoff_ms": 200 },
  });
  cleanups.push(() => submitter.close());
  return new Reporter({
    source,
    submitter,
    cursorStore: new FileCursorStore(options.cursorPath),
    anonymizer: new HmacAnonymizer(new TextEncoder().encode(KEY)),
    untilCaughtUp: true,
    batchSize: 4,
    batchInterval: 60_000,
    retry: { initialDelay: 10, maxDelay: 100 },
    ...options,
  });
}

/** Every active fixture event is stored exactly once and MAU is the hand-computed one. */
async function expectExactlyOnce(central: CentralSide): Promise<void> {
  const rows = await central.rows();
  expect(rows.map((r) => r.id)).toEqual(ACTIVE_IDS);
  expect(new Set(rows.map((r) => `${r.tenant}/${r.id}`)).size).toBe(rows.length);
  expect(rows.every((r) => r.tenant === TENANT)).toBe(true);
  const mau = await central.mau();
  for (const [kind, protocol, expected] of EXPECTED_MAU) {
    const row = mau.find(
      (r) => r.tenant === TENANT && r.month === "2026-09" && r.user_kind === kind && r.protocol === protocol,
    );
    expect(row?.mau, `${kind} ${protocol ?? "all"}`).toBe(expected);
  }
}

/** Ids submitted more than once over all batches the sink received. */
function resentIds(writes: readonly RecordedWrite[]): string[] {
  const seen = new Set<string>();
  const again = new Set<string>();
  for (const write of writes) {
    for (const event of write.events) (seen.has(event.id) ? again : seen).add(event.id);
  }
  return [...again].sort();
}

function expectNoIdentifyingStrings(writes: readonly RecordedWrite[]): void {
  expect(writes.length).toBeGreaterThan(0);
  const secrets = identifyingStrings();
  expect(secrets).toEqual(
    expect.arrayContaining(["alice@acme.com", "bot-ci-deployer", "acme-prod.teleport.sh"]),
  );
  for (const write of writes) {
    for (const secret of secrets) {
      expect(write.requestBytes.includes(Buffer.from(secret)), `${secret} reached the tenants service`).toBe(
        false,
      );
    }
  }
}

async function counterValue(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

describe("Reporter end to end: file audit log → events server → reporter → tenants service → DuckDB", () => {
  it("stores every active event exactly once when the reporter process is killed between a stored batch and its checkpoint", async () => {
    const dir = await workDir();
    const events = await tenantSide(dir);
    const central = await CentralSide.open(dir);
    await central.start();
    await writeFile(join(dir, "token"), `${TENANT_TOKEN}\n`);
    await writeFile(join(dir, "key"), `${KEY}\n`);
    const args = [
      "report",
      "--server",
      events,
      "--tenants",
      central.address,
      "--tenant-token-file",
      join(dir, "token"),
      "--anonymization-key-file",
      join(dir, "key"),
      "--cursor-file",
      join(dir, "cursor"),
      "--batch-size",
      "4",
      "--until-caught-up",
    ];
    const first = startCli(args);
    cleanups.push(() => first.child.kill("SIGKILL"));
    // The first batch is durable in DuckDB; the reporter dies before it hears the acknowledgement.
    central.sink.afterWrite = async () => {
      central.sink.afterWrite = undefined;
      first.child.kill("SIGKILL");
      await first.exited;
    };

    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");
    // The batches submitted while the first one was in flight may be stored too: none was checkpointed.
    const firstBatch = central.sink.writes[0]?.events.map((e) => e.id).sort();
    expect(firstBatch).toHaveLength(4);
    await expect(readFile(join(dir, "cursor"), "utf8")).rejects.toThrow(/ENOENT/);

    const second = await runCli([...args, "--log-format", "json"]);
    expect(second.code, second.stderr).toBe(0);

    expect(resentIds(central.sink.writes)).toEqual(expect.arrayContaining(firstBatch ?? []));
    await expectExactlyOnce(central);
    expectNoIdentifyingStrings(central.sink.writes);
  }, 30_000);

  it("stores every active event exactly once when the checkpoint after an acknowledged batch fails", async () => {
    const dir = await workDir();
    const events = await tenantSide(dir);
    const central = await CentralSide.open(dir);
    await central.start();
    const cursorPath = join(dir, "cursor");
    const crash = new Error("crashed before the checkpoint");
    const file = new FileCursorStore(cursorPath);
    const crashing: CursorStore = {
      load: () => file.load(),
      save: () => Promise.reject(crash),
    };

    const crashed = await reporter(events, central.address, { cursorPath, cursorStore: crashing });
    await expect(crashed.run(new AbortController().signal)).rejects.toBe(crash);
    // Batches submitted while the first one's checkpoint was failing may be stored too.
    const stored = central.sink.writes.flatMap((w) => w.events.map((e) => e.id)).sort();
    expect(stored.length).toBeGreaterThanOrEqual(4);
    await expect(readFile(cursorPath, "utf8")).rejects.toThrow(/ENOENT/);

    const resumed = await reporter(events, central.address, { cursorPath });
    const result = await resumed.run(new AbortController().signal);

    expect(result.eventsConsumed).toBe(fixtureLines.length);
    expect(resentIds(central.sink.writes)).toEqual(expect.arrayContaining(stored));
    await expectExactlyOnce(central);
    expect((await readFile(cursorPath, "utf8")).trimEnd()).toBe(result.cursor);
  }, 30_000);

  it("splits batches by encoded size: each request stays under batchBytes and closed only because the next event would not fit", async () => {
    const dir = await workDir();
    const events = await tenantSide(dir);
    const central = await CentralSide.open(dir);
    await central.start();
    const batchBytes = 600;

    const run = await reporter(events, central.address, {
      cursorPath: join(dir, "cursor"),
      batchSize: 500,
      batchBytes,
    });
    const result = await run.run(new AbortController().signal);

    const writes = central.sink.writes;
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(result.batchesSubmitted).toBe(writes.length);
    expect(await central.acceptedBatches()).toBe(writes.length);
    writes.forEach((write, i) => {
      expect(write.requestBytes.length).toBeLessThanOrEqual(batchBytes);
      const next = writes[i + 1]?.events[0];
      if (next === undefined) return;
      const grown = SubmitEventsRequest.encode({ events: [...write.events, next] }).finish().length;
      expect(grown).toBeGreaterThan(batchBytes);
    });
    expect(resentIds(writes)).toEqual([]);
    await expectExactlyOnce(central);
  }, 30_000);

  it("backs off while the tenants service is down (started late, then stopped mid-run) and delivers everything once", async () => {
    const dir = await workDir();
    const events = await tenantSide(dir);
    const central = await CentralSide.open(dir, await freePort());
    const registry = newRegistry();
    const failures = () => counterValue(registry, "tenant_events_reporter_submit_failures_total");
    const run = await reporter(events, central.address, { cursorPath: join(dir, "cursor"), registry });
    const done = run.run(new AbortController().signal);

    await eventually(async () => (await failures()) >= 2, "the reporter to retry a refused connection", {
      within: 20_000,
    });
    let stopped = false;
    central.sink.afterWrite = () => {
      central.sink.afterWrite = undefined;
      central.server?.forceShutdown();
      stopped = true;
    };
    await central.start();
    await eventually(() => stopped, "the first batch to be stored", { within: 20_000 });
    const before = await failures();
    await eventually(
      async () => (await failures()) > before,
      "the reporter to retry the unacknowledged batch",
      {
        within: 20_000,
      },
    );
    await central.start();
    const result = await done;

    expect(result.eventsConsumed).toBe(fixtureLines.length);
    expect(result.eventsSubmitted).toBe(ACTIVE_IDS.length);
    const kinds = (await registry.getSingleMetric("tenant_events_reporter_submit_failures_total")?.get())
      ?.values;
    expect(kinds?.filter((v) => v.value !== 0).map((v) => v.labels["kind"])).toEqual(["unavailable"]);
    // What was stored but not acknowledged before the stop is sent again: the first batch, and the
    // other batch in flight then if it was stored too.
    const resent = resentIds(central.sink.writes);
    expect(resent).toEqual(expect.arrayContaining(central.sink.writes[0]?.events.map((e) => e.id) ?? []));
    expect(resent.length).toBeLessThanOrEqual(2 * 4);
    await expectExactlyOnce(central);
  }, 30_000);

  it("sends no raw user, login, cluster, address or resource name on the wire, only their HMACs", async () => {
    const dir = await workDir();
    const events = await tenantSide(dir);
    const central = await CentralSide.open(dir);
    await central.start();

    const run = await reporter(events, central.address, { cursorPath: join(dir, "cursor") });
    await run.run(new AbortController().signal);

    expectNoIdentifyingStrings(central.sink.writes);
    const anonymizer = new HmacAnonymizer(new TextEncoder().encode(KEY));
    const users = new Set(ACTIVE_LINES.map((line) => anonymizer.anonymize(fixture(line).user)));
    const sent: Event[] = central.sink.writes.flatMap((w) => w.events);
    expect(new Set(sent.map((e) => e.user))).toEqual(users);
    expect(new Set((await central.rows()).map((r) => r.user))).toEqual(users);
    expect(sent.every((e) => /^[A-Za-z0-9+/]{43}=$/.test(e.cluster))).toBe(true);
  }, 30_000);
});
