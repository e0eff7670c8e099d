import { paginateQuery, TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import { TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import fc from "fast-check";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { FailedPreconditionError } from "../../../src/errors/errors.js";
import { type Event, UserKind } from "../../../src/gen/tenants/tenants.js";
import { DAY_MS, parseMonthRange } from "../../../src/mau/calendar.js";
import { completeMonthly } from "../../../src/mau/complete-rows.js";
import { monthlyRows } from "../../../src/mau/sql/metric-rows.js";
import { monthlyMauSql } from "../../../src/mau/sql/metrics.js";
import { checkMonthly } from "../../../src/mau/usage-query.js";
import { stateCommonAttributes, stateRecord } from "../../../src/store/timestream/rollup-state.js";
import { timestreamDialect } from "../../../src/store/timestream/timestream-dialect.js";
import { TimestreamQuerier } from "../../../src/store/timestream/timestream-query.js";
import { TimestreamSink, type TimestreamSinkOptions } from "../../../src/store/timestream/timestream-sink.js";
import { TimestreamUsageQueries } from "../../../src/store/timestream/timestream-usage-queries.js";
import type { LogRecord } from "../../support/log-capture.js";
import { eventually } from "../../support/eventually.js";
import { startTimestreamEndpoint } from "../../support/timestream-endpoint/timestream-endpoint.js";
import { sampleEvent, timestamp } from "../sample-events.js";
import { randomActivity } from "./random-activity.js";

const DB = "usage";
const TABLE = "events";
const ROLLUP = `${TABLE}_daily`;
/** Where the events are first written with their days, so that TABLE holds events its rollup lacks. */
const ELSEWHERE = "elsewhere_daily";
const NOW = Date.parse("2027-01-01T00:00:00Z");
/** Twelve days of events, across the end of August. */
const FIRST_DAY = Date.parse("2026-08-25T00:00:00Z");
const DAYS = 12;

/** Events on every day: users and none, humans, bots and unspecified, protocols and none, two tenants. */
function storedEvents(): [string, Event][] {
  const users = ["", "u1", "u2", "u3"];
  const kinds = [UserKind.USER_KIND_HUMAN, UserKind.USER_KIND_BOT, UserKind.USER_KIND_UNSPECIFIED];
  const protocols = ["", "ssh", "kube"];
  return Array.from({ length: 150 }, (_, i) => {
    const day = i % DAYS;
    const offset = i % 10 === 0 ? DAY_MS - 1 : (i * 7_919_000) % DAY_MS;
    return [
      i % 5 === 0 ? "globex" : "acme",
      sampleEvent({
        id: `e${i}`,
        time: timestamp(new Date(FIRST_DAY + day * DAY_MS + offset).toISOString()),
        user: users[(i + Math.floor(i / DAYS)) % 4]!,
        userKind: kinds[i % 3]!,
        protocol: protocols[Math.floor(i / 2) % 3]!,
      }),
    ];
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(rollupSettings: { magneticStoreWrites: boolean } = { magneticStoreWrites: true }) {
  const endpoint = await startTimestreamEndpoint({
    now: () => NOW,
    tables: [
      { database: DB, table: TABLE, magneticStoreWrites: true },
      { database: DB, table: ROLLUP, ...rollupSettings },
      { database: DB, table: ELSEWHERE, magneticStoreWrites: true },
    ],
  });
  cleanups.push(() => endpoint.close());
  const connection = {
    database: DB,
    table: TABLE,
    endpoint: endpoint.url,
    region: endpoint.region,
    credentials: endpoint.credentials,
  };
  const client = new TimestreamQueryClient(connection);
  cleanups.push(() => Promise.resolve(client.destroy()));
  const queries = new TimestreamUsageQueries(connection);
  cleanups.push(() => queries.close());
  return { endpoint, connection, client, queries };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Writes events to TABLE as a sink from before the rollup table would have: their days go elsewhere. */
async function storeWithoutRollup({ connection }: Setup, events: [string, Event][]): Promise<void> {
  const sink = new TimestreamSink({ ...connection, rollupTable: ELSEWHERE, now: () => new Date(NOW) });
  try {
    for (const [tenant, event] of events) await sink.write(tenant, [event]);
  } finally {
    await sink.close();
  }
}

/** The sink as the tenants service opens it, its log kept; `onLog` sees each record as it is written. */
function open({ connection }: Setup, onLog: (record: LogRecord, sink: TimestreamSink) => void = () => {}) {
  const records: LogRecord[] = [];
  const opened: { sink?: TimestreamSink } = {};
  const logger = pino(
    { level: "info" },
    {
      write: (line: string) => {
        const record = JSON.parse(line) as LogRecord;
        records.push(record);
        if (opened.sink !== undefined) onLog(record, opened.sink);
      },
    },
  );
  const options: TimestreamSinkOptions = {
    ...connection,
    now: () => new Date(NOW),
    retry: { initialDelay: 1, maxDelay: 5 },
    logger,
    backfill: { retryMs: 20, progressIntervalMs: 0 },
    queryPageSize: 7,
  };
  const sink = TimestreamSink.open(options);
  opened.sink = sink;
  cleanups.push(() => sink.close());
  return { sink, records };
}

async function rows(client: TimestreamQueryClient, sql: string): Promise<(string | null)[][]> {
  const out: (string | null)[][] = [];
  for await (const page of paginateQuery({ client }, { QueryString: sql })) {
    for (const row of page.Rows ?? [])
      out.push((row.Data ?? []).map((d) => (d.NullValue ? null : (d.ScalarValue ?? ""))));
  }
  return out;
}

/** The rollup table's daily activity, and the distinct projection of the events it must equal. */
async function rollupAndProjection(client: TimestreamQueryClient) {
  const order = 'ORDER BY tenant, day, user_kind, protocol, "user"';
  return {
    rollup: await rows(
      client,
      `SELECT tenant, to_milliseconds(time) AS day, user_kind, coalesce(protocol, '') AS protocol, "user"
       FROM "${DB}"."${ROLLUP}" WHERE measure_name = 'active_day' ${order}`,
    ),
    projection: await rows(
      client,
      `SELECT DISTINCT tenant, to_milliseconds(date_trunc('day', time)) AS day, user_kind,
         coalesce(protocol, '') AS protocol, "user"
       FROM "${DB}"."${TABLE}" WHERE measure_name = 'active' AND coalesce("user", '') <> '' ${order}`,
    ),
  };
}

const months = checkMonthly({ months: parseMonthRange("2026-08..2026-09"), includeBots: true });

/** MAU as the raw events give it: the same metric rendered over the events table. */
async function mauFromEvents({ connection }: Setup) {
  const querier = new TimestreamQuerier(connection, TABLE);
  try {
    const sql = monthlyMauSql(timestreamDialect(connection), months, "events");
    return completeMonthly(months, monthlyRows(await querier.rows(sql)));
  } finally {
    querier.close();
  }
}

const messages = (records: LogRecord[]) => records.map((r) => r.msg);

/** Random events over the twelve days (ids repeat, as re-sent events and reused ids do). */
const randomEvents: fc.Arbitrary<[string, Event][]> = fc.array(randomActivity(FIRST_DAY, DAYS, 30), {
  minLength: 1,
  maxLength: 40,
});

describe("the Timestream rollup backfill", () => {
  it("builds the daily activity of events stored before the rollup, refusing MAU until it completes", async () => {
    const s = await setup();
    await storeWithoutRollup(s, storedEvents());
    await expect(s.queries.monthlyActiveUsers(months)).rejects.toThrow(/predates the daily activity rollup/);

    const { sink, records } = open(s);
    expect(await sink.backfill).toBe("complete");
    const { rollup, projection } = await rollupAndProjection(s.client);
    expect(projection.length).toBeGreaterThan(30);
    expect(rollup).toEqual(projection);
    const expected = await mauFromEvents(s);
    expect(expected.some((row) => row.mau > 0)).toBe(true);
    expect(await s.queries.monthlyActiveUsers(months)).toEqual(expected);
    // Once it has seen the rollup complete, the runner no longer reads its state: one query a MAU call.
    const queried = s.endpoint.calls("Query");
    await s.queries.monthlyActiveUsers(months);
    expect(s.endpoint.calls("Query") - queried).toBe(1);

    const start = records.find((r) => r.msg.startsWith("building the daily activity rollup from"));
    expect(start).toMatchObject({ daysDone: 0, days: DAYS });
    expect(records.filter((r) => r.msg === "building the daily activity rollup")).toHaveLength(DAYS - 1);
    expect(records.at(-1)).toMatchObject({
      msg: "daily activity rollup built; MAU is available",
      days: DAYS,
      events: 150,
    });
  });

  it("builds exactly the distinct projection of any stored events, and MAU from it is the raw events' MAU", async () => {
    await fc.assert(
      fc.asyncProperty(randomEvents, async (events) => {
        const s = await setup();
        try {
          // One event with a user and a protocol: the rollup table has the columns MAU reads.
          await storeWithoutRollup(s, [
            ["acme", sampleEvent({ id: "anchor", time: timestamp("2026-08-27T12:00:00Z") })],
            ...events,
          ]);
          const { sink } = open(s);
          expect(await sink.backfill).toBe("complete");
          const { rollup, projection } = await rollupAndProjection(s.client);
          expect(rollup).toEqual(projection);
          expect(await s.queries.monthlyActiveUsers(months)).toEqual(await mauFromEvents(s));
        } finally {
          for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
        }
      }),
      { numRuns: 8 },
    );
  }, 60_000);

  it("stops on close half way and resumes where it stopped on the next open", async () => {
    const s = await setup();
    await storeWithoutRollup(s, storedEvents());
    const first = open(s, (record, sink) => {
      if (record.msg === "building the daily activity rollup" && record.daysDone === 5) void sink.close();
    });
    expect(await first.sink.backfill).toBe("stopped");
    await expect(s.queries.monthlyActiveUsers(months)).rejects.toThrow(
      new FailedPreconditionError(
        `the daily activity rollup is being built from the stored events (5 of ${DAYS} days done); ` +
          "MAU is available once it completes",
      ),
    );
    const { rollup, projection } = await rollupAndProjection(s.client);
    expect(rollup.length).toBeGreaterThan(0);
    expect(rollup.length).toBeLessThan(projection.length);

    const second = open(s);
    expect(await second.sink.backfill).toBe("complete");
    expect(
      second.records.find((r) => r.msg.startsWith("building the daily activity rollup from")),
    ).toMatchObject({
      from: new Date(FIRST_DAY + 5 * DAY_MS).toISOString(),
      daysDone: 5,
      days: DAYS,
    });
    const after = await rollupAndProjection(s.client);
    expect(after.rollup).toEqual(after.projection);
    expect(await s.queries.monthlyActiveUsers(months)).toEqual(await mauFromEvents(s));
  });

  it("stops quietly when closed at once, and the next open builds it all", async () => {
    const s = await setup();
    await storeWithoutRollup(s, storedEvents());
    const first = open(s);
    await first.sink.close();
    expect(await first.sink.backfill).toBe("stopped");
    expect(first.records.filter((r) => r.level >= 50)).toEqual([]);
    const second = open(s);
    expect(await second.sink.backfill).toBe("complete");
    const { rollup, projection } = await rollupAndProjection(s.client);
    expect(rollup).toEqual(projection);
  });

  it("converges when two sinks build at once while batches are written", async () => {
    const s = await setup();
    await storeWithoutRollup(s, storedEvents());
    const a = open(s);
    const b = open(s);
    const live = sampleEvent({
      id: "live",
      time: timestamp("2026-08-30T12:00:00Z"),
      user: "u7",
      protocol: "db",
    });
    await a.sink.write("acme", [live]);
    expect(await Promise.all([a.sink.backfill, b.sink.backfill])).toEqual(["complete", "complete"]);
    const { rollup, projection } = await rollupAndProjection(s.client);
    expect(projection).toContainEqual(["acme", String(Date.parse("2026-08-30")), "1", "db", "u7"]);
    expect(rollup).toEqual(projection);
    const newest = await rows(
      s.client,
      `SELECT state FROM "${DB}"."${ROLLUP}" WHERE measure_name = 'rollup_backfill' ORDER BY time DESC LIMIT 1`,
    );
    expect(newest).toEqual([["complete"]]);
    expect(await s.queries.monthlyActiveUsers(months)).toEqual(await mauFromEvents(s));
  });

  it("goes on from the furthest day any sink reached, and says complete again over a later stale record", async () => {
    const s = await setup();
    await storeWithoutRollup(s, storedEvents());
    const ahead = open(s, (record, sink) => {
      if (record.msg === "building the daily activity rollup" && record.daysDone === 8) void sink.close();
    });
    expect(await ahead.sink.backfill).toBe("stopped");
    // A sink whose clock runs behind wrote that it is at the first day, after the other reached day 8.
    const staleAt = async (timeMs: number, complete: boolean) => {
      const raw = new TimestreamWriteClient(s.connection);
      try {
        const span = { firstDay: FIRST_DAY, nextDay: FIRST_DAY, lastDay: FIRST_DAY + (DAYS - 1) * DAY_MS };
        await raw.send(
          new WriteRecordsCommand({
            DatabaseName: DB,
            TableName: ROLLUP,
            CommonAttributes: stateCommonAttributes(),
            Records: [stateRecord({ timeMs, complete, span })],
          }),
        );
      } finally {
        raw.destroy();
      }
    };
    await staleAt(NOW + 100, false);
    await expect(s.queries.monthlyActiveUsers(months)).rejects.toThrow(/\(0 of 12 days done\)/);

    const behind = open(s);
    expect(await behind.sink.backfill).toBe("complete");
    expect(behind.records.find((r) => r.msg.startsWith("another sink built days"))).toMatchObject({
      daysDone: 8,
      days: DAYS,
    });
    // Only days 8 to 11 were built again.
    expect(
      behind.records.filter((r) => r.msg === "building the daily activity rollup").map((r) => r.daysDone),
    ).toEqual([8, 9, 10, 11]);
    const built = await rollupAndProjection(s.client);
    expect(built.rollup).toEqual(built.projection);

    // Another stale record after the complete one: the next sink finds the complete one and says so again.
    await staleAt(NOW + 200, false);
    await expect(s.queries.monthlyActiveUsers(months)).rejects.toThrow(/being built/);
    const again = open(s);
    expect(await again.sink.backfill).toBe("complete");
    expect(messages(again.records)).not.toContain("building the daily activity rollup");
    expect(await s.queries.monthlyActiveUsers(months)).toEqual(await mauFromEvents(s));
  });

  it("is complete at once over an events table without events", async () => {
    const s = await setup();
    // Neither state nor events: nothing to refuse for (the query itself finds no column to read yet).
    await expect(s.queries.monthlyActiveUsers(months)).rejects.toThrow(/cannot answer the usage query/);
    const { sink, records } = open(s);
    expect(await sink.backfill).toBe("complete");
    expect(messages(records)).not.toContain("building the daily activity rollup");
    expect(
      await rows(s.client, `SELECT state FROM "${DB}"."${ROLLUP}" WHERE measure_name = 'rollup_backfill'`),
    ).toEqual([["complete"]]);
    const event = sampleEvent({ id: "live", time: timestamp("2026-12-31T23:00:00Z"), user: "u9" });
    await sink.write("acme", [event]);
    const december = checkMonthly({ months: parseMonthRange("2026-12") });
    const mau = await s.queries.monthlyActiveUsers(december);
    expect(mau.find((row) => row.tenant === "acme" && row.protocol === null)?.mau).toBe(1);
    // A later open finds it complete and writes nothing.
    await sink.close();
    const writes = s.endpoint.writeRequests.length;
    expect(await open(s).sink.backfill).toBe("complete");
    expect(s.endpoint.writeRequests.length).toBe(writes);
  });

  it("never marks a day done whose records the rollup table rejects, and finishes once it accepts them", async () => {
    // The events are months old: without magnetic store writes the rollup table refuses their days.
    const s = await setup({ magneticStoreWrites: false });
    await storeWithoutRollup(s, storedEvents());
    const { sink, records } = open(s);
    await eventually(
      () =>
        records.filter((r) => r.msg.startsWith("building a day of the daily activity rollup failed"))
          .length >= 2,
      "the first day failing twice",
    );
    const failure = records.find((r) =>
      r.msg.startsWith("building a day of the daily activity rollup failed"),
    );
    expect(failure).toMatchObject({ level: 50, day: new Date(FIRST_DAY).toISOString() });
    expect(JSON.stringify(failure?.err)).toMatch(/enable magnetic store writes/);
    await expect(s.queries.monthlyActiveUsers(months)).rejects.toThrow(/\(0 of 12 days done\)/);

    s.endpoint.updateTable(DB, ROLLUP, { magneticStoreWrites: true });
    expect(await sink.backfill).toBe("complete");
    const { rollup, projection } = await rollupAndProjection(s.client);
    expect(rollup).toEqual(projection);
    expect(await s.queries.monthlyActiveUsers(months)).toEqual(await mauFromEvents(s));
  });

  it("completes at once when no stored event has a user", async () => {
    const s = await setup();
    await storeWithoutRollup(
      s,
      storedEvents().map(([tenant, event]) => [tenant, { ...event, user: "" }]),
    );
    const { sink } = open(s);
    expect(await sink.backfill).toBe("complete");
    expect(
      await rows(
        s.client,
        `SELECT state, next_day, last_day FROM "${DB}"."${ROLLUP}" WHERE measure_name = 'rollup_backfill' ORDER BY time`,
      ),
    ).toEqual([
      ["building", String(FIRST_DAY), String(FIRST_DAY + (DAYS - 1) * DAY_MS)],
      ["complete", String(FIRST_DAY + DAYS * DAY_MS), String(FIRST_DAY + (DAYS - 1) * DAY_MS)],
    ]);
  });
});
