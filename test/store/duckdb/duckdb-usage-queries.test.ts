import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FailedPreconditionError, NotFoundError, UnavailableError } from "../../../src/errors/errors.js";
import { type Event, UserKind } from "../../../src/gen/tenants/tenants.js";
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { parseMonthRange } from "../../../src/mau/calendar.js";
import { DuckDbUsageQueries } from "../../../src/store/duckdb/duckdb-usage-queries.js";
import type { MauRow, RollingMauRow } from "../../../src/mau/usage-rows.js";
import { referenceMonthly, referenceRolling, storedRecords } from "../../mau/support/reference-mau.js";
import { usageQueriesContract } from "../../mau/support/usage-queries-contract.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "usage-duckdb-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The file, written by the sink, then closed and opened read-only as `mau` does.
usageQueriesContract("DuckDB file, read-only", {
  async prepare(store) {
    const path = join(dir, "contract.duckdb");
    const sink = await DuckDbSink.open(path);
    try {
      await store(sink);
    } finally {
      await sink.close();
    }
    return DuckDbUsageQueries.open(path);
  },
  dispose: () => Promise.resolve(),
});

// In one process, through the running sink's query connection.
let liveSink: DuckDbSink | undefined;
usageQueriesContract("DuckDB through a running sink", {
  async prepare(store) {
    liveSink = await DuckDbSink.open(":memory:");
    await store(liveSink);
    return DuckDbUsageQueries.fromSink(liveSink);
  },
  dispose: async () => {
    await liveSink?.close();
  },
});

describe("DuckDbUsageQueries", () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close();
  });

  it("reports a missing file as NotFoundError", async () => {
    await expect(DuckDbUsageQueries.open(join(dir, "missing.duckdb"))).rejects.toThrow(NotFoundError);
  });

  it("refuses a database the sink did not write", async () => {
    const path = join(dir, "other.duckdb");
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    await conn.run("CREATE TABLE events (x INTEGER)");
    conn.closeSync();
    instance.closeSync();
    await expect(DuckDbUsageQueries.open(path)).rejects.toThrow(FailedPreconditionError);
  });

  it("refuses a file that is not a database", async () => {
    const path = join(dir, "text.duckdb");
    await writeFile(path, "not a database\n");
    await expect(DuckDbUsageQueries.open(path)).rejects.toThrow(
      /cannot open DuckDB database|not a valid|DuckDB/,
    );
  });

  it("says so when another process (the tenants service) has the file open", async () => {
    const path = join(dir, "held.duckdb");
    const holder = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./sink-holder.ts", import.meta.url)), path],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const exited = once(holder, "exit");
    try {
      let out = "";
      holder.stdout.setEncoding("utf8");
      while (!out.includes("open")) out += ((await once(holder.stdout, "data")) as [string])[0];
      await expect(DuckDbUsageQueries.open(path)).rejects.toThrow(FailedPreconditionError);
      await expect(DuckDbUsageQueries.open(path)).rejects.toThrow(/open in another process/);
    } finally {
      holder.stdin.end();
      await exited;
    }
    // Once the holder has closed it, the file opens.
    const queries = await DuckDbUsageQueries.open(path);
    await queries.close();
  });

  it("refuses a database with a newer schema", async () => {
    const path = join(dir, "newer.duckdb");
    const sink = await DuckDbSink.open(path);
    await sink.close();
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    await conn.run("INSERT INTO schema_version VALUES (99, now())");
    conn.closeSync();
    instance.closeSync();
    await expect(DuckDbUsageQueries.open(path)).rejects.toThrow(/newer than this build/);
  });

  it("sees batches committed after it was created, and rejects once closed", async () => {
    const sink = await DuckDbSink.open(":memory:");
    opened.push(sink);
    const queries = await DuckDbUsageQueries.fromSink(sink);
    const september = { months: parseMonthRange("2026-09") };
    expect(await queries.monthlyActiveUsers(september)).toEqual([]);
    await sink.write("acme", [event("e1", "u1", "2026-09-02T00:00:00Z", "db")]);
    const rows = await queries.monthlyActiveUsers(september);
    expect(rows.filter((r) => r.mau > 0).map((r) => r.protocol)).toEqual([null, "db"]);
    await queries.close();
    await expect(queries.monthlyActiveUsers(september)).rejects.toThrow(UnavailableError);
    // The sink stays usable.
    await expect(sink.write("acme", [event("e2", "u1", "2026-09-03T00:00:00Z", "")])).resolves.toEqual({
      accepted: 1,
    });
  });

  it("honours an abort signal", async () => {
    const sink = await DuckDbSink.open(":memory:");
    opened.push(sink);
    const queries = await DuckDbUsageQueries.fromSink(sink);
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      queries.monthlyActiveUsers({ months: parseMonthRange("2026-09") }, { signal: controller.signal }),
    ).rejects.toThrow("stop");
  });

  // Months and days are UTC; DuckDB's TimeZone setting changes how TIMESTAMPTZ casts and truncates.
  it.each(["UTC", "America/New_York", "Asia/Tokyo"])(
    "puts events in their UTC month and day with the session's TimeZone set to %s",
    async (zone) => {
      const sink = await DuckDbSink.open(":memory:");
      opened.push(sink);
      await sink.write("acme", [
        event("e1", "u1", "2026-09-30T23:59:59.999Z", "ssh"),
        event("e2", "u2", "2026-10-01T00:00:00.000Z", "db"),
        event("e3", "u3", "2026-10-31T20:00:00.000Z", "kube"),
        event("e4", "u4", "2026-11-01T03:00:00.000Z", "app"),
      ]);
      const connection = await sink.queryConnection();
      await connection.run(`SET TimeZone = '${zone}'`);
      const queries = await DuckDbUsageQueries.fromSink(sink);

      const monthly = await queries.monthlyActiveUsers({ months: parseMonthRange("2026-09..2026-11") });
      expect(asMap(monthly)).toEqual(
        new Map([
          [JSON.stringify([["2026-09", null], "acme", "human"]), 1],
          [JSON.stringify([["2026-09", "ssh"], "acme", "human"]), 1],
          [JSON.stringify([["2026-10", null], "acme", "human"]), 2],
          [JSON.stringify([["2026-10", "db"], "acme", "human"]), 1],
          [JSON.stringify([["2026-10", "kube"], "acme", "human"]), 1],
          [JSON.stringify([["2026-11", null], "acme", "human"]), 1],
          [JSON.stringify([["2026-11", "app"], "acme", "human"]), 1],
        ]),
      );

      const rolling = await queries.rollingActiveUsers({
        from: Date.parse("2026-09-30T00:00:00Z"),
        to: Date.parse("2026-10-01T00:00:00Z"),
        windowDays: 1,
      });
      expect(rolling.map((r) => [r.day, r.mau])).toEqual([
        ["2026-09-30", 1],
        ["2026-10-01", 1],
      ]);
      const timeZone = await connection.runAndReadAll("SELECT current_setting('TimeZone')");
      expect(timeZone.getRows()).toEqual([[zone]]);
    },
  );

  it("agrees with the brute-force rule on random records", async () => {
    const sink = await DuckDbSink.open(":memory:");
    opened.push(sink);
    const queries = await DuckDbUsageQueries.fromSink(sink);
    const start = Date.parse("2026-07-20T00:00:00Z");
    const span = Date.parse("2026-10-10T00:00:00Z") - start;
    const records = fc.array(
      fc.record({
        tenant: fc.constantFrom("t1", "t2"),
        offset: fc.integer({ min: 0, max: span - 1 }),
        user: fc.constantFrom("", "u1", "u2", "u3", "u4", "u5"),
        kind: fc.constantFrom(
          UserKind.USER_KIND_HUMAN,
          UserKind.USER_KIND_BOT,
          UserKind.USER_KIND_UNSPECIFIED,
        ),
        protocol: fc.constantFrom("", "ssh", "kube", "db", "app", "desktop", "tcp-other"),
      }),
      { maxLength: 60 },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(records, fc.boolean(), async (generated, includeBots) => {
        // Each run gets its own tenants so earlier runs' records do not count.
        run += 1;
        const byTenant = new Map<string, Event[]>();
        generated.forEach((g, i) => {
          const tenant = `${g.tenant}-run${run}`;
          const list = byTenant.get(tenant) ?? [];
          list.push({
            ...event(`r${i}`, g.user, new Date(start + g.offset).toISOString(), g.protocol),
            userKind: g.kind,
          });
          byTenant.set(tenant, list);
        });
        for (const [tenant, events] of byTenant) await sink.write(tenant, events);
        const stored = storedRecords(byTenant);
        for (const tenant of byTenant.keys()) {
          const months = parseMonthRange("2026-07..2026-10");
          const monthly = await queries.monthlyActiveUsers({ months, tenant, includeBots });
          const expectedMonthly = referenceMonthly(stored, includeBots).filter((r) => r.tenant === tenant);
          expect(asMap(monthly)).toEqual(asMap(expectedMonthly));

          const from = Date.parse("2026-07-25T00:00:00Z");
          const to = Date.parse("2026-10-05T00:00:00Z");
          const rolling = await queries.rollingActiveUsers({ from, to, tenant, includeBots, windowDays: 7 });
          const expectedRolling = referenceRolling(stored, from, to, 7, includeBots).filter(
            (r) => r.tenant === tenant,
          );
          expect(asMap(rolling)).toEqual(asMap(expectedRolling));
        }
      }),
      { numRuns: 25 },
    );
  });
});

function event(id: string, user: string, iso: string, protocol: string): Event {
  const ms = Date.parse(iso);
  return {
    id,
    time: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 },
    type: "session.start",
    user,
    userKind: UserKind.USER_KIND_HUMAN,
    protocol,
    cluster: "Y2x1c3Rlcg==",
    sessionKind: "",
  };
}

/** Non-zero rows keyed by their group. */
function asMap(rows: readonly (MauRow | RollingMauRow)[]): Map<string, number> {
  return new Map(
    rows
      .filter((r) => r.mau > 0)
      .map((r) => [
        JSON.stringify(["month" in r ? [r.month, r.protocol] : r.day, r.tenant, r.user_kind]),
        r.mau,
      ]),
  );
}
