import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { USAGE_COUNTS } from "../../../src/activity/usage-report-rules.js";
import { FailedPreconditionError, UnavailableError } from "../../../src/errors/errors.js";
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../../src/store/duckdb/schema.js";
import { openStore } from "../../../src/store/open-store.js";
import { sinkContract, type StoredEvent, type StoredUsageReport } from "../../support/sink-contract.js";
import { sampleEvents } from "../sample-events.js";

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

async function open(path = join(dir, "events.duckdb")) {
  sink = await DuckDbSink.open(path);
  return sink;
}

async function rows(s: DuckDbSink, sql: string): Promise<Record<string, unknown>[]> {
  const conn = await s.queryConnection();
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS();
}

const ALL_EVENTS = `SELECT tenant, id, epoch_us(time) AS time_us, type, "user", user_kind, protocol, cluster,
  session_kind, epoch_us(received_at) AS received_us FROM events`;

const ALL_USAGE_REPORTS = `SELECT tenant, cluster, epoch_us(time) AS time_us, ${USAGE_COUNTS.join(", ")}
  FROM usage_reports`;

// A file in its own directory per case, opened by the store opener as `--sink duckdb:PATH` does.
sinkContract("DuckDB", {
  async open(now) {
    const home = await mkdtemp(join(tmpdir(), "duckdb-contract-"));
    const store = await openStore(`duckdb:${join(home, "events.duckdb")}`, { now });
    const { sink } = store;
    if (!(sink instanceof DuckDbSink)) throw new Error("duckdb: opened another kind of sink");
    return {
      store,
      events: async () =>
        (await rows(sink, ALL_EVENTS)).map((r): StoredEvent => ({
          tenant: r.tenant as string,
          id: r.id as string,
          timeMicros: r.time_us as bigint,
          type: r.type as string,
          user: r.user as string,
          userKind: r.user_kind as number,
          protocol: r.protocol as string,
          cluster: r.cluster as string,
          sessionKind: r.session_kind as string,
          receivedAtMicros: r.received_us as bigint,
        })),
      usageReports: async () =>
        (await rows(sink, ALL_USAGE_REPORTS)).map((r): StoredUsageReport => ({
          tenant: r.tenant as string,
          cluster: r.cluster as string,
          timeMicros: r.time_us as bigint,
          counts: Object.fromEntries(
            USAGE_COUNTS.map((name) => [name, r[name] as bigint]),
          ) as StoredUsageReport["counts"],
        })),
      dispose: () => rm(home, { recursive: true, force: true }),
    };
  },
});

describe("DuckDbSink", () => {
  it("keeps data and schema version across reopen, migrating only once", async () => {
    const path = join(dir, "reopen.duckdb");
    const first = await open(path);
    await first.write("acme", sampleEvents("r", 10));
    await first.close();
    const second = await open(path);
    expect(await rows(second, "SELECT count(*)::INTEGER AS n FROM events")).toEqual([{ n: 10 }]);
    expect(await rows(second, "SELECT version FROM schema_version ORDER BY version")).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version })),
    );
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

  it("refuses its query connection once closed", async () => {
    const s = await open();
    await s.close();
    await expect(s.queryConnection()).rejects.toThrow(UnavailableError);
  });
});
