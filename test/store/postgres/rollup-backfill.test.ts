import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FailedPreconditionError } from "../../../src/errors/errors.js";
import { DAY_MS, parseMonthRange } from "../../../src/mau/calendar.js";
import { type ActivityRelation, monthlyMauSql } from "../../../src/mau/sql/metrics.js";
import { checkMonthly } from "../../../src/mau/usage-query.js";
import { createPartitionSql } from "../../../src/store/postgres/partitions.js";
import { postgresDialect } from "../../../src/store/postgres/postgres-dialect.js";
import { PostgresSink } from "../../../src/store/postgres/postgres-sink.js";
import { PostgresUsageQueries } from "../../../src/store/postgres/postgres-usage-queries.js";
import { MIGRATIONS, utcDayStart } from "../../../src/store/postgres/schema.js";
import { eventually } from "../../support/eventually.js";
import { captureLogs } from "../../support/log-capture.js";
import { type PostgresServer, startPostgres } from "../../support/postgres.js";
import {
  expectedRollup,
  insertEventsSql,
  type LegacyEvent,
  legacyEvents,
  rollupKey,
  utcMonth,
} from "../legacy-events.js";

/** 2023-12-20 to 2024-03-03: a year's end and two month ends. */
const FIRST_DAY = Date.UTC(2023, 11, 20);
const DAYS = 75;

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

/**
 * A database as the sink left it at schema version 1: migration 1 alone, partitions for January and
 * February 2024 (December's and March's events are in the default partition), the events inserted.
 */
async function v1Database(events: readonly LegacyEvent[]): Promise<{ url: string; name: string }> {
  const name = `backfill_${++databases}`;
  const url = await server.createDatabase(name);
  await server.query(
    name,
    "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
  );
  for (const statement of MIGRATIONS[0]!.statements) await server.query(name, statement);
  await server.query(name, "INSERT INTO schema_version VALUES (1, now())");
  await server.query(name, createPartitionSql({ year: 2024, month: 1 }));
  await server.query(name, createPartitionSql({ year: 2024, month: 2 }));
  for (let i = 0; i < events.length; i += 2_000)
    await server.query(name, insertEventsSql(events.slice(i, i + 2_000)));
  return { url, name };
}

/**
 * A database as the sink left it at schema version 2 (the daily rollup, no monthly one) over the same
 * events: its backfill done up to `builtUntil` (epoch ms of a UTC day start; the whole span by default).
 */
async function v2Database(
  events: readonly LegacyEvent[],
  builtUntil?: number,
): Promise<{ url: string; name: string }> {
  const database = await v1Database(events);
  for (const statement of MIGRATIONS[1]!.statements) await server.query(database.name, statement);
  await server.query(database.name, "INSERT INTO schema_version VALUES (2, now())");
  const until = new Date(builtUntil ?? Date.UTC(2100, 0, 1)).toISOString();
  await server.query(
    database.name,
    `INSERT INTO daily_activity SELECT DISTINCT tenant, ${utcDayStart("time")}, user_kind, protocol, "user"
     FROM events WHERE "user" <> '' AND time < $1::timestamptz`,
    [until],
  );
  if (builtUntil === undefined) await server.query(database.name, "DELETE FROM daily_activity_backfill");
  else
    await server.query(database.name, "UPDATE daily_activity_backfill SET next_day = $1::timestamptz", [
      until,
    ]);
  return database;
}

async function open(url: string, logger = captureLogs("info").logger, retryMs = 100): Promise<PostgresSink> {
  const sink = await PostgresSink.open(url, {
    now: () => new Date("2024-03-06T00:00:00Z"),
    logger,
    backfill: { progressIntervalMs: 0, retryMs },
  });
  opened.push(sink);
  return sink;
}

async function rows(
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  return (await server.query(database, sql, params)).rows as Record<string, unknown>[];
}

/** The keys of a rollup table: `daily_activity` by default, or `monthly_activity`. */
async function rollup(name: string, table = "daily_activity"): Promise<string[]> {
  const found = await rows(
    name,
    `SELECT tenant, (extract(epoch FROM time) * 1000)::bigint::text AS day, user_kind, protocol, "user"
     FROM ${table}`,
  );
  return found
    .map((r) =>
      rollupKey(
        r.tenant as string,
        Number(r.day),
        r.user_kind as number,
        r.protocol as string,
        r.user as string,
      ),
    )
    .sort();
}

async function backfillRow(name: string): Promise<Record<string, unknown>[]> {
  return rows(
    name,
    `SELECT (extract(epoch FROM first_day) * 1000)::bigint::text AS first,
       (extract(epoch FROM next_day) * 1000)::bigint::text AS next,
       (extract(epoch FROM last_day) * 1000)::bigint::text AS last FROM daily_activity_backfill`,
  );
}

async function monthlyMau(name: string, months: string, relation: ActivityRelation): Promise<string[]> {
  const query = monthlyMauSql(
    postgresDialect,
    checkMonthly({ months: parseMonthRange(months), includeBots: true }),
    relation,
  );
  return (await rows(name, query.sql, [...query.params])).map((r) => JSON.stringify(r)).sort();
}

async function partitions(name: string): Promise<string[]> {
  const found = await rows(
    name,
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'events'::regclass ORDER BY c.relname`,
  );
  return found.map((r) => r.name as string);
}

const BUILDING =
  /^the daily activity rollup is being built from the stored events \((\d+) of (\d+) days done\); MAU is available once it completes$/;

describe("PostgreSQL rollup backfill", () => {
  it("builds the rollup of a version 1 database exactly, a month a step, then drops the row", async () => {
    const events = legacyEvents(FIRST_DAY, DAYS, 40);
    const { url, name } = await v1Database(events);
    const logs = captureLogs("info");
    const sink = await open(url, logs.logger);
    await expect(sink.backfill).resolves.toBe("complete");
    expect(await rollup(name)).toEqual(expectedRollup(events));
    expect(await rollup(name, "monthly_activity")).toEqual(expectedRollup(events, utcMonth));
    expect(await backfillRow(name)).toEqual([]);
    expect(await monthlyMau(name, "2023-12..2024-03", "rollup")).toEqual(
      await monthlyMau(name, "2023-12..2024-03", "events"),
    );
    expect(
      logs.records.find((r) => r.msg.startsWith("building the daily activity rollup from")),
    ).toMatchObject({
      daysDone: 0,
      days: DAYS,
    });
    // December's 12 days, January's 31, February's 29, then March's 3 in the last step.
    expect(
      logs.records.filter((r) => r.msg === "building the daily activity rollup").map((r) => r.daysDone),
    ).toEqual([12, 43, 72]);
    expect(logs.records.find((r) => r.msg.startsWith("daily activity rollup built"))).toMatchObject({
      days: DAYS,
      events: events.length,
    });
  });

  it("builds once when several sinks open at once", async () => {
    const events = legacyEvents(FIRST_DAY, DAYS, 40);
    const { url, name } = await v1Database(events);
    const logs = captureLogs("info");
    const sinks = await Promise.all([open(url, logs.logger), open(url, logs.logger), open(url, logs.logger)]);
    for (const sink of sinks) await expect(sink.backfill).resolves.toBe("complete");
    expect(logs.records.filter((r) => r.msg.startsWith("daily activity rollup built"))).toHaveLength(1);
    expect(await rollup(name)).toEqual(expectedRollup(events));
    expect(await backfillRow(name)).toEqual([]);
  });

  it("waits while another process holds the build, and takes it over once that process is gone", async () => {
    const events = legacyEvents(FIRST_DAY, DAYS, 10);
    const { url, name } = await v1Database(events);
    // Migrated by a first sink, whose build never starts: the test holds the lock meanwhile.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(x'7465'::int, 3)");
      const logs = captureLogs("info");
      const sink = await open(url, logs.logger);
      await eventually(
        () => logs.records.some((r) => r.msg.startsWith("another sink is building")),
        "the sink sees the build taken",
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await backfillRow(name)).toEqual([
        { first: String(FIRST_DAY), next: String(FIRST_DAY), last: String(FIRST_DAY + (DAYS - 1) * DAY_MS) },
      ]);
      await holder.end();
      await expect(sink.backfill).resolves.toBe("complete");
      expect(await rollup(name)).toEqual(expectedRollup(events));
    } finally {
      await holder.end().catch(() => undefined);
    }
  });

  it("resumes after a failed step, ends exact, and refuses MAU and retention meanwhile", async () => {
    const events = legacyEvents(FIRST_DAY, DAYS, 20);
    const { url, name } = await v1Database(events);
    // Migrate, then make every rollup row of February fail: the build stops after December and January.
    await (await open(url, captureLogs("info").logger, 3_600_000)).close();
    await server.query(name, "UPDATE daily_activity_backfill SET next_day = first_day");
    await server.query(name, "DELETE FROM daily_activity");
    await server.query(name, "DELETE FROM monthly_activity");
    await server.query(
      name,
      `CREATE FUNCTION refuse_february() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.time >= '2024-02-01T00:00:00Z' THEN RAISE EXCEPTION 'injected failure'; END IF;
         RETURN NEW;
       END $$`,
    );
    await server.query(
      name,
      "CREATE TRIGGER refuse_february BEFORE INSERT ON daily_activity FOR EACH ROW EXECUTE FUNCTION refuse_february()",
    );
    const logs = captureLogs("info");
    const failing = await open(url, logs.logger, 3_600_000);
    await eventually(
      () => logs.records.some((r) => r.msg.startsWith("building the daily activity rollup failed")),
      "the build fails",
    );
    expect(await backfillRow(name)).toEqual([
      {
        first: String(FIRST_DAY),
        next: String(Date.UTC(2024, 1, 1)),
        last: String(FIRST_DAY + (DAYS - 1) * DAY_MS),
      },
    ]);
    await expect(failing.expireEvents(new Date("2030-01-01T00:00:00Z"))).resolves.toEqual({
      deleted: 0,
      deferred: true,
    });

    const queries = await PostgresUsageQueries.open(url);
    try {
      const refused = queries.monthlyActiveUsers({ months: parseMonthRange("2024-01") });
      await expect(refused).rejects.toThrow(FailedPreconditionError);
      const message = await refused.then(
        () => "",
        (err: Error) => err.message,
      );
      expect(BUILDING.exec(message)?.slice(1)).toEqual(["43", String(DAYS)]);
    } finally {
      await queries.close();
    }
    await failing.close();
    await expect(failing.backfill).resolves.toBe("stopped");

    await server.query(name, "DROP TRIGGER refuse_february ON daily_activity");
    const resumedLogs = captureLogs("info");
    const sink = await open(url, resumedLogs.logger);
    await expect(sink.backfill).resolves.toBe("complete");
    expect(
      resumedLogs.records.find((r) => r.msg.startsWith("building the daily activity rollup from")),
    ).toMatchObject({ daysDone: 43, days: DAYS });
    expect(await rollup(name)).toEqual(expectedRollup(events));
    expect(await rollup(name, "monthly_activity")).toEqual(expectedRollup(events, utcMonth));
    expect(await backfillRow(name)).toEqual([]);
  });

  it("migrates a version 2 database: its monthly rollup from the daily one, MAU as over the events", async () => {
    const events = legacyEvents(FIRST_DAY, DAYS, 30);
    const { url, name } = await v2Database(events);
    const queries = await PostgresUsageQueries.open(url);
    try {
      await expect(queries.monthlyActiveUsers({ months: parseMonthRange("2024-01") })).rejects.toThrow(
        /^the database predates the monthly activity rollup, which is built from its daily one when the tenants service next opens it/,
      );
      const sink = await open(url);
      await expect(sink.backfill).resolves.toBe("complete");
      expect(await rollup(name, "monthly_activity")).toEqual(expectedRollup(events, utcMonth));
      expect(await rollup(name)).toEqual(expectedRollup(events));
      expect(await monthlyMau(name, "2023-12..2024-03", "rollup")).toEqual(
        await monthlyMau(name, "2023-12..2024-03", "events"),
      );
      await expect(queries.monthlyActiveUsers({ months: parseMonthRange("2024-01") })).resolves.not.toEqual(
        [],
      );
    } finally {
      await queries.close();
    }
  });

  it("finishes a version 2 database's interrupted build into both rollups", async () => {
    const events = legacyEvents(FIRST_DAY, DAYS, 30);
    const { url, name } = await v2Database(events, Date.UTC(2024, 0, 10));
    const logs = captureLogs("info");
    const sink = await open(url, logs.logger);
    await expect(sink.backfill).resolves.toBe("complete");
    expect(
      logs.records.find((r) => r.msg.startsWith("building the daily activity rollup from")),
    ).toMatchObject({ daysDone: 21, days: DAYS });
    expect(await rollup(name)).toEqual(expectedRollup(events));
    expect(await rollup(name, "monthly_activity")).toEqual(expectedRollup(events, utcMonth));
    expect(await backfillRow(name)).toEqual([]);
  });

  it("refuses MAU on a version 1 database no sink has migrated yet", async () => {
    const { url } = await v1Database(legacyEvents(FIRST_DAY, 3, 5));
    const queries = await PostgresUsageQueries.open(url);
    try {
      await expect(queries.monthlyActiveUsers({ months: parseMonthRange("2023-12") })).rejects.toThrow(
        /predates the daily activity rollup/,
      );
    } finally {
      await queries.close();
    }
  });
});

describe("PostgreSQL event retention", () => {
  it("drops the whole months before the instant's month and their default-partition rows, keeping MAU", async () => {
    const events = legacyEvents(FIRST_DAY, DAYS, 40);
    const { url, name } = await v1Database(events);
    const logs = captureLogs("info");
    const sink = await open(url, logs.logger);
    await sink.backfill;
    const months = "2023-12..2024-03";
    const mauBefore = await monthlyMau(name, months, "rollup");
    // March's partition could not be created on open: its rows were already in the default partition.
    expect(await partitions(name)).toEqual([
      "events_default",
      "events_p2024_01",
      "events_p2024_02",
      "events_p2024_04",
    ]);

    const cutoff = Date.UTC(2024, 2, 1);
    const old = events.filter((e) => e.timeMs < cutoff);
    await expect(sink.expireEvents(new Date("2024-03-02T12:00:00Z"))).resolves.toEqual({
      deleted: old.length,
      deferred: false,
    });
    expect(await partitions(name)).toEqual(["events_default", "events_p2024_04"]);
    const left = await rows(name, "SELECT tenant, id FROM events");
    expect(left.map((r) => `${r.tenant as string}/${r.id as string}`).sort()).toEqual(
      events
        .filter((e) => e.timeMs >= cutoff)
        .map((e) => `${e.tenant}/${e.id}`)
        .sort(),
    );
    expect(await monthlyMau(name, months, "rollup")).toEqual(mauBefore);
    expect(await monthlyMau(name, months, "events")).not.toEqual(mauBefore);
    expect(
      logs.records.filter((r) => r.msg === "postgres: events partition dropped").map((r) => r.partition),
    ).toEqual(["events_p2024_01", "events_p2024_02"]);
    await expect(sink.expireEvents(new Date("2024-03-02T12:00:00Z"))).resolves.toEqual({
      deleted: 0,
      deferred: false,
    });
  });

  it("keeps the month the instant falls in, even its earlier days", async () => {
    const events = legacyEvents(FIRST_DAY, DAYS, 10);
    const { url, name } = await v1Database(events);
    const sink = await open(url);
    await sink.backfill;
    await expect(sink.expireEvents(new Date("2024-01-31T23:00:00Z"))).resolves.toEqual({
      deleted: events.filter((e) => e.timeMs < Date.UTC(2024, 0, 1)).length,
      deferred: false,
    });
    expect(await partitions(name)).toEqual([
      "events_default",
      "events_p2024_01",
      "events_p2024_02",
      "events_p2024_04",
    ]);
  });
});
