import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FailedPreconditionError,
  InvalidArgumentError,
  UnavailableError,
} from "../../../src/errors/errors.js";
import { UserKind } from "../../../src/gen/tenants/tenants.js";
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { SCHEMA_VERSION } from "../../../src/store/duckdb/schema.js";
import { sampleEvent, sampleEvents, sampleReport, timestamp } from "../sample-events.js";

let dir: string;
let sink: DuckDbSink | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duckdb-sink-"));
});

afterEach(async () => {
  await sink?.close();
  sink = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function open(path = join(dir, "events.duckdb"), now = () => new Date("2024-03-06T00:00:00Z")) {
  sink = await DuckDbSink.open(path, { now });
  return sink;
}

async function rows(s: DuckDbSink, sql: string): Promise<Record<string, unknown>[]> {
  const conn = await s.queryConnection();
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS();
}

const ALL_EVENTS = `SELECT tenant, id, epoch_us(time) AS time_us, type, "user", user_kind, protocol, cluster,
  session_kind, epoch_us(received_at) AS received_us FROM events ORDER BY tenant, id`;

describe("DuckDbSink", () => {
  it("stores every column of an event, time to the microsecond", async () => {
    const s = await open();
    const event = sampleEvent({
      id: "e1",
      time: timestamp("2024-03-05T10:00:00.123Z", 456_789),
      userKind: UserKind.USER_KIND_BOT,
      protocol: "kube",
      sessionKind: "k8s_port",
    });
    await expect(s.write("acme", [event])).resolves.toEqual({ accepted: 1 });
    expect(await rows(s, ALL_EVENTS)).toEqual([
      {
        tenant: "acme",
        id: "e1",
        time_us: BigInt(Date.parse("2024-03-05T10:00:00.123Z")) * 1000n + 456n,
        type: "session.start",
        user: event.user,
        user_kind: 2,
        protocol: "kube",
        cluster: event.cluster,
        session_kind: "k8s_port",
        received_us: BigInt(Date.parse("2024-03-06T00:00:00Z")) * 1000n,
      },
    ]);
  });

  it("leaves the same rows when a batch is re-sent, keeping the first received_at", async () => {
    let clock = new Date("2024-03-06T00:00:00Z");
    const s = await open(undefined, () => clock);
    const batch = sampleEvents("b", 50);
    await s.write("acme", batch);
    const first = await rows(s, ALL_EVENTS);
    clock = new Date("2024-03-07T00:00:00Z");
    await expect(s.write("acme", batch)).resolves.toEqual({ accepted: 50 });
    await s.write("acme", batch.slice(10, 20));
    expect(await rows(s, ALL_EVENTS)).toEqual(first);
    expect(first).toHaveLength(50);
  });

  it("keeps different events with the same time and user apart", async () => {
    const s = await open();
    const a = sampleEvent({ id: "a" });
    const b = sampleEvent({ id: "b" });
    await s.write("acme", [a, b]);
    expect((await rows(s, ALL_EVENTS)).map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("keeps the first of repeated ids within a batch and counts the batch as accepted", async () => {
    const s = await open();
    const result = await s.write("acme", [
      sampleEvent({ id: "x", type: "first" }),
      sampleEvent({ id: "x", type: "second" }),
    ]);
    expect(result).toEqual({ accepted: 2 });
    expect((await rows(s, ALL_EVENTS)).map((r) => r.type)).toEqual(["first"]);
  });

  it("scopes ids to the tenant", async () => {
    const s = await open();
    await s.write("acme", [sampleEvent({ id: "same" })]);
    await s.write("globex", [sampleEvent({ id: "same" })]);
    expect((await rows(s, ALL_EVENTS)).map((r) => r.tenant)).toEqual(["acme", "globex"]);
  });

  it("rejects a batch with an invalid event and stores none of it", async () => {
    const s = await open();
    const batch = [...sampleEvents("ok", 3), sampleEvent({ id: "no-time", time: undefined })];
    await expect(s.write("acme", batch)).rejects.toThrow(InvalidArgumentError);
    await expect(s.write("acme", [sampleEvent({ id: "" })])).rejects.toThrow(/event 0: id is required/);
    await expect(s.write("", [sampleEvent()])).rejects.toThrow(InvalidArgumentError);
    expect(await rows(s, ALL_EVENTS)).toEqual([]);
  });

  it("serializes concurrent writes", async () => {
    const s = await open();
    const batches = Array.from({ length: 12 }, (_, i) => sampleEvents(`c${i}`, 300));
    await Promise.all(batches.map((batch) => s.write("acme", batch)));
    expect(await rows(s, "SELECT count(*)::INTEGER AS n FROM events")).toEqual([{ n: 12 * 300 }]);
  });

  it("stores usage reports idempotently on (tenant, cluster, time)", async () => {
    const s = await open();
    const report = sampleReport();
    const other = sampleReport({ cluster: "other", users: 1n });
    await expect(s.writeUsageReports("acme", [report, other])).resolves.toEqual({ accepted: 2 });
    await s.writeUsageReports("acme", [report]);
    expect(
      await rows(
        s,
        `SELECT tenant, cluster, epoch_us(time) AS time_us, users, servers, databases, apps, kube_clusters,
         desktops, roles, auth_connectors FROM usage_reports ORDER BY cluster`,
      ),
    ).toEqual([
      {
        tenant: "acme",
        cluster: report.cluster,
        time_us: BigInt(Date.parse("2024-03-05T00:00:00Z")) * 1000n,
        users: 12n,
        servers: 40n,
        databases: 3n,
        apps: 5n,
        kube_clusters: 2n,
        desktops: 1n,
        roles: 9n,
        auth_connectors: 2n,
      },
      expect.objectContaining({ cluster: "other", users: 1n }),
    ]);
  });

  it("keeps data and schema version across reopen, migrating only once", async () => {
    const path = join(dir, "reopen.duckdb");
    const first = await open(path);
    await first.write("acme", sampleEvents("r", 10));
    await first.close();
    const second = await open(path);
    expect(await rows(second, "SELECT count(*)::INTEGER AS n FROM events")).toEqual([{ n: 10 }]);
    expect(await rows(second, "SELECT version FROM schema_version")).toEqual([{ version: SCHEMA_VERSION }]);
  });

  it("refuses a database written by a newer schema version", async () => {
    const path = join(dir, "newer.duckdb");
    await (await open(path)).close();
    sink = undefined;
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    await conn.run(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION + 1}, now())`);
    conn.closeSync();
    instance.closeSync();
    await expect(DuckDbSink.open(path)).rejects.toThrow(FailedPreconditionError);
  });

  it("rejects writes after close", async () => {
    const s = await open();
    await s.close();
    await expect(s.write("acme", [sampleEvent()])).rejects.toThrow(UnavailableError);
    await expect(s.queryConnection()).rejects.toThrow(UnavailableError);
  });

  it("stores exactly the distinct ids of any sequence of possibly repeated batches", async () => {
    const s = await open(":memory:");
    const pool = sampleEvents("p", 40);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: pool.length - 1 }), { maxLength: 15 }), { maxLength: 8 }),
        async (batches) => {
          const tenant = `t${run++}`;
          for (const batch of batches) {
            const events = batch.map((i) => pool[i]!);
            await expect(s.write(tenant, events)).resolves.toEqual({ accepted: events.length });
          }
          const expected = [...new Set(batches.flat())].map((i) => pool[i]!.id).sort();
          const stored = await rows(s, `SELECT id FROM events WHERE tenant = '${tenant}' ORDER BY id`);
          expect(stored.map((r) => r.id)).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});
