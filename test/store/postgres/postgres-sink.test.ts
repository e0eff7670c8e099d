import fc from "fast-check";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS } from "../../../src/activity/time-bounds.js";
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from "../../../src/errors/errors.js";
import { USAGE_COUNTS } from "../../../src/activity/usage-report-rules.js";
import { openSink, openStore } from "../../../src/store/open-store.js";
import { PostgresSink } from "../../../src/store/postgres/postgres-sink.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../../src/store/postgres/schema.js";
import { freePort } from "../../support/processes.js";
import { type PostgresServer, startPostgres } from "../../support/postgres.js";
import { sinkContract, type StoredEvent, type StoredUsageReport } from "../../support/sink-contract.js";
import { sampleEvent, sampleEvents, timestamp } from "../sample-events.js";
import { captureLogs } from "../../support/log-capture.js";

let server: PostgresServer;
let databases = 0;
const opened: PostgresSink[] = [];

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  for (const sink of opened.splice(0)) await sink.close();
});

/** A fresh database per test, so tests never see each other's rows. */
async function freshDatabase(): Promise<{ url: string; name: string }> {
  const name = `sink_${++databases}`;
  return { url: await server.createDatabase(name), name };
}

async function open(url: string): Promise<PostgresSink> {
  const sink = await PostgresSink.open(url, { now: () => new Date("2024-03-06T00:00:00Z") });
  opened.push(sink);
  return sink;
}

async function rows(database: string, sql: string): Promise<Record<string, unknown>[]> {
  return (await server.query(database, sql)).rows as Record<string, unknown>[];
}

const epochMicros = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;

const ALL_EVENTS = `SELECT tenant, id, ${epochMicros("time")} AS time_us, type, "user", user_kind, protocol,
  cluster, session_kind, ${epochMicros("received_at")} AS received_us FROM events`;

const ALL_USAGE_REPORTS = `SELECT tenant, cluster, ${epochMicros("time")} AS time_us,
  ${USAGE_COUNTS.map((name) => `${name}::text AS ${name}`).join(", ")} FROM usage_reports`;

// A fresh database per case, opened by the store opener from its URL as `--sink postgres://…` does.
sinkContract("PostgreSQL", {
  async open(now) {
    const { url, name } = await freshDatabase();
    const store = await openStore(url, { now });
    return {
      store,
      events: async () =>
        (await rows(name, ALL_EVENTS)).map((r): StoredEvent => ({
          tenant: r.tenant as string,
          id: r.id as string,
          timeMicros: BigInt(r.time_us as string),
          type: r.type as string,
          user: r.user as string,
          userKind: r.user_kind as number,
          protocol: r.protocol as string,
          cluster: r.cluster as string,
          sessionKind: r.session_kind as string,
          receivedAtMicros: BigInt(r.received_us as string),
        })),
      usageReports: async () =>
        (await rows(name, ALL_USAGE_REPORTS)).map((r): StoredUsageReport => ({
          tenant: r.tenant as string,
          cluster: r.cluster as string,
          timeMicros: BigInt(r.time_us as string),
          counts: Object.fromEntries(
            USAGE_COUNTS.map((count) => [count, BigInt(r[count] as string)]),
          ) as StoredUsageReport["counts"],
        })),
    };
  },
});

describe("PostgresSink", () => {
  it("creates the schema on open: a monthly-partitioned events table with a default partition", async () => {
    const { url, name } = await freshDatabase();
    await open(url);
    expect(await rows(name, "SELECT version FROM schema_version ORDER BY version")).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version })),
    );
    expect(
      await rows(
        name,
        `SELECT c.relname AS table, p.partstrat AS strategy, a.attname AS key
         FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
         JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]`,
      ),
    ).toEqual([{ table: "events", strategy: "r", key: "time" }]);
    // The default partition, plus the current and next month (by the sink's clock) created ahead.
    expect(await partitions(name)).toEqual([
      { name: "events_default", bound: "DEFAULT" },
      {
        name: "events_p2024_03",
        bound: "FOR VALUES FROM ('2024-03-01 00:00:00+00') TO ('2024-04-01 00:00:00+00')",
      },
      {
        name: "events_p2024_04",
        bound: "FOR VALUES FROM ('2024-04-01 00:00:00+00') TO ('2024-05-01 00:00:00+00')",
      },
    ]);
    expect(
      await rows(
        name,
        `SELECT a.attname AS column FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = 'usage_reports'::regclass AND i.indisprimary ORDER BY a.attnum`,
      ),
    ).toEqual([{ column: "tenant" }, { column: "time" }, { column: "cluster" }]);
  });

  it("re-opens an existing database without migrating again, keeping its rows", async () => {
    const { url, name } = await freshDatabase();
    const first = await open(url);
    await first.write("acme", sampleEvents("a", 5));
    await first.close();
    const [a, b] = await Promise.all([open(url), open(url)]);
    expect(await rows(name, "SELECT version FROM schema_version ORDER BY version")).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version })),
    );
    expect(await rows(name, "SELECT count(*)::int AS n FROM events")).toEqual([{ n: 5 }]);
    await expect(a.write("acme", sampleEvents("b", 2))).resolves.toEqual({ accepted: 2 });
    await expect(b.write("acme", sampleEvents("c", 2))).resolves.toEqual({ accepted: 2 });
  });

  it("refuses a database migrated by a newer build", async () => {
    const { url, name } = await freshDatabase();
    await (await open(url)).close();
    await server.query(name, `INSERT INTO schema_version VALUES (${SCHEMA_VERSION + 1}, now())`);
    await expect(PostgresSink.open(url)).rejects.toThrow(FailedPreconditionError);
  });

  it("hands PostgreSQL every storable instant exactly, to the microsecond", async () => {
    const { url, name } = await freshDatabase();
    const sink = await open(url);
    const instants = fc.sample(
      fc.bigInt(TIMESTAMP_MIN_SECONDS * 1_000_000n, TIMESTAMP_MAX_SECONDS * 1_000_000n + 999_999n),
      { numRuns: 60, seed: 42 },
    );
    const events = instants.map((us, i) => {
      const seconds = us / 1_000_000n - (us % 1_000_000n < 0n ? 1n : 0n);
      const nanos = Number(us - seconds * 1_000_000n) * 1000;
      return sampleEvent({ id: `t${i}`, time: { seconds, nanos } });
    });
    await sink.write("acme", events);
    const stored = await rows(
      name,
      "SELECT id, (extract(epoch FROM time) * 1000000)::bigint::text AS us FROM events",
    );
    expect(new Map(stored.map((r) => [r.id, r.us]))).toEqual(
      new Map(instants.map((us, i) => [`t${i}`, us.toString()])),
    );
  });

  it("creates a partition per month on demand and routes each event to its month", async () => {
    const { url, name } = await freshDatabase();
    const sink = await open(url);
    await sink.write("acme", [
      sampleEvent({ id: "jan-last", time: timestamp("2023-01-31T23:59:59.999Z", 999_000) }),
      sampleEvent({ id: "feb-first", time: timestamp("2023-02-01T00:00:00Z") }),
      sampleEvent({ id: "dec", time: timestamp("2022-12-15T12:00:00Z") }),
      sampleEvent({ id: "year-one", time: timestamp("0001-01-01T00:00:00Z") }),
    ]);
    expect((await partitions(name)).map((p) => p.name)).toEqual([
      "events_default",
      "events_p0001_01",
      "events_p2022_12",
      "events_p2023_01",
      "events_p2023_02",
      "events_p2024_03",
      "events_p2024_04",
    ]);
    expect(
      await rows(name, "SELECT id, tableoid::regclass::text AS partition FROM events ORDER BY id"),
    ).toEqual([
      { id: "dec", partition: "events_p2022_12" },
      { id: "feb-first", partition: "events_p2023_02" },
      { id: "jan-last", partition: "events_p2023_01" },
      { id: "year-one", partition: "events_p0001_01" },
    ]);
  });

  it("keeps writing a month whose rows already sit in the default partition there", async () => {
    const { url, name } = await freshDatabase();
    const first = await open(url);
    await first.close();
    // An operator dropped April's partition, and April rows arrived meanwhile: they went to the default.
    await server.query(name, "DROP TABLE events_p2024_04");
    await server.query(
      name,
      `INSERT INTO events VALUES ('acme', 'early', '2024-04-02T00:00:00Z', 'session.start', 'u', 1, 'ssh', 'c', '',
        now())`,
    );
    const sink = await open(url);
    const april = sampleEvents("apr", 3, "2024-04-10T00:00:00.000Z");
    await expect(sink.write("acme", april)).resolves.toEqual({ accepted: 3 });
    await expect(sink.write("acme", april)).resolves.toEqual({ accepted: 3 });
    expect(
      await rows(
        name,
        "SELECT tableoid::regclass::text AS partition, count(*)::int AS n FROM events GROUP BY 1",
      ),
    ).toEqual([{ partition: "events_default", n: 4 }]);
  });

  it("fails a batch as unavailable while a long query keeps its new partition from being created", async () => {
    const { url, name } = await freshDatabase();
    const sink = await PostgresSink.open(url, {
      now: () => new Date("2024-03-06T00:00:00Z"),
      partitionLockTimeoutMs: 200,
    });
    opened.push(sink);
    const reader = new pg.Client({ connectionString: url });
    await reader.connect();
    try {
      await reader.query("BEGIN");
      await reader.query("SELECT count(*) FROM events");
      const june = sampleEvents("jun", 2, "2024-06-10T00:00:00.000Z");
      await expect(sink.write("acme", june)).rejects.toThrow(UnavailableError);
      // The months already there take no lock beyond the insert's own.
      await expect(sink.write("acme", sampleEvents("mar", 2))).resolves.toEqual({ accepted: 2 });
      await reader.query("COMMIT");
      await expect(sink.write("acme", june)).resolves.toEqual({ accepted: 2 });
    } finally {
      await reader.end();
    }
    expect(await rows(name, "SELECT count(*)::int AS n FROM events_p2024_06")).toEqual([{ n: 2 }]);
  });

  it("lets two sinks create the same partitions at once without error", async () => {
    const { url, name } = await freshDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    const months = ["2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06"];
    const batches = months.map((m, i) => sampleEvents(`m${i}`, 20, `${m}-10T00:00:00.000Z`));
    await Promise.all(batches.flatMap((batch) => [a.write("acme", batch), b.write("acme", batch)]));
    expect(await rows(name, "SELECT count(*)::int AS n FROM events_default")).toEqual([{ n: 0 }]);
    expect(await rows(name, "SELECT count(*)::int AS n FROM events")).toEqual([{ n: 120 }]);
    expect((await partitions(name)).filter((p) => p.name.startsWith("events_p2021"))).toHaveLength(6);
  });

  it("writes from two sinks at once, overlapping in opposite orders, without deadlock or duplicates", async () => {
    const { url, name } = await freshDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    // Each round, both sinks write the same events at once, one in the reverse order of the other:
    // without a common insertion order each would wait for a key the other holds.
    const writes: Promise<unknown>[] = [];
    for (let round = 0; round < 8; round++) {
      const events = sampleEvents(`c${round}`, 4_000);
      writes.push(a.write("acme", events), b.write("acme", [...events].reverse()));
    }
    const results = await Promise.allSettled(writes);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await rows(name, "SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM events")).toEqual(
      [{ n: 32_000, ids: 32_000 }],
    );
  });

  it.each([
    ["a NUL in a user", sampleEvent({ id: "n1", user: "a\u0000b" })],
    ["an unpaired surrogate in an id", sampleEvent({ id: "bad-\ud800" })],
  ])("rejects a whole batch with %s, storing none of it", async (_, bad) => {
    const { url, name } = await freshDatabase();
    const sink = await open(url);
    await expect(sink.write("acme", [sampleEvent({ id: "good" }), bad])).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(await rows(name, "SELECT count(*)::int AS n FROM events")).toEqual([{ n: 0 }]);
  });

  it("commits synchronously even where the database's default is asynchronous", async () => {
    const { url, name } = await freshDatabase();
    await server.query(name, `ALTER DATABASE ${name} SET synchronous_commit = off`);
    const sink = await open(url);
    const result = await sink.queryPool().query<{ synchronous_commit: string }>("SHOW synchronous_commit");
    expect(result.rows).toEqual([{ synchronous_commit: "on" }]);
  });

  it("is opened by openSink from a postgres:// URL, logging it without the password", async () => {
    const { name } = await freshDatabase();
    const { logger, text } = captureLogs("info");
    // Trust authentication ignores the password, which must still never reach a log line.
    const url = `postgres://${server.user}:s3cret-pw@${server.host}:${server.port}/${name}`;
    const sink = await openSink(url, { logger });
    expect(sink).toBeInstanceOf(PostgresSink);
    await sink.write("acme", sampleEvents("o", 2));
    await sink.close();
    expect(text()).toContain(`postgres://${server.user}:***@${server.host}:${server.port}/${name}`);
    expect(text()).not.toContain("s3cret-pw");
  });

  it("reports an unreachable server as UnavailableError and a missing database as NotFoundError", async () => {
    const port = await freePort();
    await expect(
      PostgresSink.open(`postgres://postgres:pw@127.0.0.1:${port}/x`, { connectTimeoutMs: 2_000 }),
    ).rejects.toThrow(UnavailableError);
    await expect(
      PostgresSink.open(`postgres://postgres:pw@127.0.0.1:${port}/x`, { connectTimeoutMs: 2_000 }),
    ).rejects.not.toThrow(/pw@/);
    await expect(PostgresSink.open(server.url("no_such_database"))).rejects.toThrow(NotFoundError);
  });
});

async function partitions(database: string): Promise<{ name: string; bound: string }[]> {
  return (await rows(
    database,
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'events'::regclass ORDER BY c.relname`,
  )) as { name: string; bound: string }[];
}
