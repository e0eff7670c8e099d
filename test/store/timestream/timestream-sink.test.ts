import { paginateQuery, TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import { TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, NotFoundError, UnavailableError } from "../../../src/errors/errors.js";
import { newRegistry } from "../../../src/observability/metrics.js";
import { USAGE_COUNTS } from "../../../src/activity/usage-report-rules.js";
import { parseMonthRange } from "../../../src/mau/calendar.js";
import { openSink, openStore } from "../../../src/store/open-store.js";
import {
  TimestreamFutureTimeError,
  TimestreamRejectedError,
  TimestreamRetentionError,
} from "../../../src/store/timestream/timestream-errors.js";
import {
  ACTIVE_DAY_MEASURE,
  EVENT_MEASURE,
  USAGE_MEASURE,
} from "../../../src/store/timestream/timestream-records.js";
import { TimestreamSink, type TimestreamSinkOptions } from "../../../src/store/timestream/timestream-sink.js";
import { sinkContract, type StoredEvent, type StoredUsageReport } from "../../support/sink-contract.js";
import {
  startTimestreamEndpoint,
  type TimestreamEndpoint,
  type TimestreamEndpointOptions,
} from "../../support/timestream-endpoint/timestream-endpoint.js";
import { sampleEvent, sampleEvents, timestamp } from "../sample-events.js";

const NOW = new Date("2024-03-05T12:00:00Z");
const DB = "usage";
const TABLE = "events";
const TABLE_SQL = `"${DB}"."${TABLE}"`;
/** The default name of the daily activity table of TABLE. */
const ROLLUP = `${TABLE}_daily`;
const ROLLUP_SQL = `"${DB}"."${ROLLUP}"`;
/**
 * Both tables: the last day's events in the memory store, and a day more for the daily activity, whose
 * time (the day's start) is up to a day before its events'.
 */
const TABLES = [
  { database: DB, table: TABLE, memoryStoreRetentionHours: 24 },
  { database: DB, table: ROLLUP, memoryStoreRetentionHours: 48 },
];

const cleanups: (() => Promise<void>)[] = [];

function queryClient(endpoint: TimestreamEndpoint): TimestreamQueryClient {
  return new TimestreamQueryClient({
    endpoint: endpoint.url,
    region: endpoint.region,
    credentials: endpoint.credentials,
  });
}

/** The rows of a query, every page. */
async function queryRows(client: TimestreamQueryClient, sql: string): Promise<(string | null)[][]> {
  const out: (string | null)[][] = [];
  for await (const page of paginateQuery({ client }, { QueryString: sql })) {
    for (const row of page.Rows ?? []) {
      out.push((row.Data ?? []).map((d) => (d.NullValue ? null : (d.ScalarValue ?? ""))));
    }
  }
  return out;
}

/**
 * The records of one measure by column name, every page. A column exists only once some record carried
 * it, and an empty dimension is left out of its record: both read back as "".
 */
async function measureRecords(
  client: TimestreamQueryClient,
  measure: string,
  table = TABLE_SQL,
): Promise<Map<string, string>[]> {
  const out: Map<string, string>[] = [];
  const sql = `SELECT * FROM ${table} WHERE measure_name = '${measure}'`;
  for await (const page of paginateQuery({ client }, { QueryString: sql })) {
    const names = (page.ColumnInfo ?? []).map((c) => c.Name ?? "");
    for (const row of page.Rows ?? []) {
      out.push(
        new Map((row.Data ?? []).map((d, i) => [names[i]!, d.NullValue ? "" : (d.ScalarValue ?? "")])),
      );
    }
  }
  return out;
}

/** Timestream's `2024-03-05 11:30:00.123000000` (UTC) in epoch microseconds. */
function timeMicros(text: string): bigint {
  const [whole = "", fraction = ""] = text.split(".");
  const seconds = Date.parse(`${whole.replace(" ", "T")}Z`);
  if (Number.isNaN(seconds)) throw new Error(`unexpected Timestream time ${text}`);
  return BigInt(seconds) * 1000n + BigInt(fraction.padEnd(9, "0").slice(0, 6));
}

const field = (record: Map<string, string>, name: string) => record.get(name) ?? "";

// Timestream answers a re-sent identical record either way depending on when it was observed; the
// contract holds for both.
for (const [mode, rejectIdenticalDuplicates] of [
  ["accepting identical re-writes (documented behaviour)", false],
  ["rejecting identical re-writes at the same version (observed behaviour)", true],
] as const) {
  sinkContract(`Timestream, an endpoint ${mode}`, {
    async open(now) {
      const endpoint = await startTimestreamEndpoint({
        now: () => now().getTime(),
        tables: TABLES,
        rejectIdenticalDuplicates,
      });
      const store = await openStore(`timestream:${DB}/${TABLE}`, {
        timestream: {
          endpoint: endpoint.url,
          region: endpoint.region,
          credentials: endpoint.credentials,
          retry: { initialDelay: 1, maxDelay: 5 },
          now,
        },
      });
      // Over empty tables the rollup is complete as soon as the sink has looked (no events to build).
      await (store.sink as TimestreamSink).backfill;
      const query = queryClient(endpoint);
      return {
        store,
        events: async () =>
          (await measureRecords(query, EVENT_MEASURE)).map((r): StoredEvent => ({
            tenant: field(r, "tenant"),
            id: field(r, "id"),
            timeMicros: timeMicros(field(r, "time")),
            type: field(r, "type"),
            user: field(r, "user"),
            userKind: Number(field(r, "user_kind")),
            protocol: field(r, "protocol"),
            cluster: field(r, "cluster"),
            sessionKind: field(r, "session_kind"),
          })),
        usageReports: async () =>
          (await measureRecords(query, USAGE_MEASURE)).map((r): StoredUsageReport => ({
            tenant: field(r, "tenant"),
            cluster: field(r, "cluster"),
            timeMicros: timeMicros(field(r, "time")),
            counts: Object.fromEntries(
              USAGE_COUNTS.map((count) => [count, BigInt(field(r, count))]),
            ) as StoredUsageReport["counts"],
          })),
        dispose: async () => {
          query.destroy();
          await endpoint.close();
        },
      };
    },
    capabilities: {
      timePrecision: "millisecond",
      storesReceivedAt: false,
      conflictingUsageReport: { refusedWith: TimestreamRejectedError },
      // The sink can tell a harmless same-version rejection only for event records (constant measure).
      resentUsageReport: rejectIdenticalDuplicates ? { refusedWith: TimestreamRejectedError } : "accepted",
    },
  });
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  endpoint: TimestreamEndpoint;
  sink: TimestreamSink;
  rows: (sql: string) => Promise<(string | null)[][]>;
}

async function setup(
  endpointOptions: TimestreamEndpointOptions = {},
  sinkOptions: Partial<TimestreamSinkOptions> = {},
): Promise<Setup> {
  const endpoint = await startTimestreamEndpoint({
    now: () => NOW.getTime(),
    tables: TABLES,
    ...endpointOptions,
  });
  cleanups.push(() => endpoint.close());
  const sink = new TimestreamSink({
    database: DB,
    table: TABLE,
    endpoint: endpoint.url,
    region: endpoint.region,
    credentials: endpoint.credentials,
    retry: { initialDelay: 1, maxDelay: 5 },
    now: () => NOW,
    ...sinkOptions,
  });
  cleanups.push(() => sink.close());
  const query = queryClient(endpoint);
  cleanups.push(() => Promise.resolve(query.destroy()));
  return { endpoint, sink, rows: (sql) => queryRows(query, sql) };
}

/** Events within the endpoint's memory store window (the hour before NOW). */
function recentEvents(prefix: string, count: number) {
  return sampleEvents(prefix, count, "2024-03-05T11:00:00.000Z");
}

describe("TimestreamSink", () => {
  it("writes one record per event with the documented dimensions, measure and time", async () => {
    const { sink, rows, endpoint } = await setup();
    const event = sampleEvent({
      id: "e1",
      time: timestamp("2024-03-05T11:30:00.123Z", 456_000),
      protocol: "",
      sessionKind: "ssh_port",
    });
    // A column exists once some record carries it (Timestream's flexible schema): e2 brings `protocol`.
    const other = sampleEvent({ id: "e2", time: timestamp("2024-03-05T11:31:00Z") });
    await expect(sink.write("acme", [event, other])).resolves.toEqual({ accepted: 2 });
    expect(
      await rows(
        `SELECT tenant, id, type, "user", user_kind, protocol, cluster, session_kind, measure_name,
         measure_value::bigint, time FROM ${TABLE_SQL} ORDER BY id LIMIT 1`,
      ),
    ).toEqual([
      [
        "acme",
        "e1",
        "session.start",
        event.user,
        "1",
        null,
        event.cluster,
        "ssh_port",
        "active",
        "1",
        "2024-03-05 11:30:00.123000000",
      ],
    ]);
    expect(endpoint.calls("DescribeEndpoints")).toBe(0);
  });

  it("splits a batch into WriteRecords requests of at most 100 records", async () => {
    const { sink, rows, endpoint } = await setup({}, { concurrency: 2 });
    await sink.write("acme", recentEvents("s", 250));
    const sizes = (table: string) =>
      endpoint.writeRequests
        .filter((r) => r.table === table)
        .map((r) => r.records)
        .sort((a, b) => a - b);
    expect(sizes(TABLE)).toEqual([50, 100, 100]);
    expect(await rows(`SELECT count(*) FROM ${TABLE_SQL}`)).toEqual([["250"]]);
    // 17 users × 6 protocols (one empty) in one day: 102 distinct active days.
    expect(sizes(ROLLUP)).toEqual([2, 100]);
    expect(await rows(`SELECT count(*) FROM ${ROLLUP_SQL}`)).toEqual([["102"]]);
  });

  it("never acknowledges a partly rejected batch; names memory store retention and magnetic writes", async () => {
    const { sink, rows } = await setup();
    const batch = [
      ...recentEvents("ok", 3),
      sampleEvent({ id: "old", time: timestamp("2024-03-01T00:00:00Z") }),
    ];
    const err: unknown = await sink.write("acme", batch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimestreamRetentionError);
    expect((err as TimestreamRetentionError).kind).toBe("failed-precondition");
    expect((err as Error).message).toMatch(/memory store retention.*magnetic store writes/);
    expect((err as TimestreamRetentionError).rejected.map((r) => r.item)).toEqual(["event old"]);
    // Timestream kept the request's other records: acknowledging would have silently lost "old".
    expect(await rows(`SELECT id FROM ${TABLE_SQL} ORDER BY id`)).toEqual([["ok-0"], ["ok-1"], ["ok-2"]]);
    // The daily activity is written only once every event record is stored.
    expect(await rows(`SELECT count(*) FROM ${ROLLUP_SQL}`)).toEqual([["0"]]);
  });

  it("accepts a backfill once magnetic store writes are enabled on both tables", async () => {
    const { sink, endpoint } = await setup();
    const old = [sampleEvent({ id: "old", time: timestamp("2024-02-01T00:00:00Z") })];
    await expect(sink.write("acme", old)).rejects.toThrow(TimestreamRetentionError);
    endpoint.updateTable(DB, TABLE, { magneticStoreWrites: true });
    const err: unknown = await sink.write("acme", old).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimestreamRetentionError);
    expect((err as TimestreamRetentionError).table).toBe(`${DB}/${ROLLUP}`);
    endpoint.updateTable(DB, ROLLUP, { magneticStoreWrites: true });
    await expect(sink.write("acme", old)).resolves.toEqual({ accepted: 1 });
  });

  it("reports events too far in the future as such", async () => {
    const { sink } = await setup();
    const future = sampleEvent({ id: "f", time: timestamp("2024-03-05T13:00:00Z") });
    const err: unknown = await sink.write("acme", [future]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimestreamFutureTimeError);
    expect(err).toBeInstanceOf(InvalidArgumentError);
  });

  it("fails on a conflicting record at the same version instead of treating it as a duplicate", async () => {
    const { sink, endpoint } = await setup();
    const event = sampleEvent({ id: "clash", time: timestamp("2024-03-05T11:00:00Z") });
    // Someone else wrote a record with the event's dimensions but another measure value.
    const raw = new TimestreamWriteClient({
      endpoint: endpoint.url,
      region: endpoint.region,
      credentials: endpoint.credentials,
    });
    cleanups.push(() => Promise.resolve(raw.destroy()));
    await raw.send(
      new WriteRecordsCommand({
        DatabaseName: DB,
        TableName: TABLE,
        Records: [
          {
            Dimensions: [
              { Name: "tenant", Value: "acme" },
              { Name: "id", Value: "clash" },
              { Name: "type", Value: event.type },
              { Name: "user", Value: event.user },
              { Name: "user_kind", Value: "1" },
              { Name: "protocol", Value: event.protocol },
              { Name: "cluster", Value: event.cluster },
            ],
            MeasureName: "active",
            MeasureValue: "7",
            MeasureValueType: "BIGINT",
            Time: String(Date.parse("2024-03-05T11:00:00Z")),
            Version: 2,
          },
        ],
      }),
    );
    const err: unknown = await sink.write("acme", [event]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimestreamRejectedError);
    expect((err as TimestreamRejectedError).rejected).toEqual([
      {
        item: "event clash",
        reason: expect.stringMatching(/lower than the existing version 2/) as string,
        existingVersion: 2,
      },
    ]);
  });

  it("retries throttling, server errors and dropped connections with backoff", async () => {
    const registry = newRegistry();
    const { sink, endpoint, rows } = await setup({}, { registry });
    endpoint.failNext("WriteRecords", "throttling", 2);
    endpoint.failNext("WriteRecords", "internal");
    endpoint.failNext("WriteRecords", "unavailable");
    endpoint.failNext("WriteRecords", "reset");
    await expect(sink.write("acme", recentEvents("t", 10))).resolves.toEqual({ accepted: 10 });
    // Five failures and the events' request, then the daily activity's.
    expect(endpoint.calls("WriteRecords")).toBe(7);
    expect(await rows(`SELECT count(*) FROM ${TABLE_SQL}`)).toEqual([["10"]]);
    const retries = await registry.getSingleMetric("tenant_events_sink_retries_total")?.get();
    expect(retries?.values).toEqual([{ labels: { sink: "timestream" }, value: 5 }]);
  });

  it("gives up after the configured attempts with UnavailableError", async () => {
    const { sink, endpoint } = await setup({}, { retry: { maxAttempts: 3, initialDelay: 1 } });
    endpoint.failNext("WriteRecords", "throttling", 5);
    await expect(sink.write("acme", recentEvents("g", 3))).rejects.toThrow(UnavailableError);
    expect(endpoint.calls("WriteRecords")).toBe(3);
  });

  it("reports a missing table as NotFoundError", async () => {
    const { sink } = await setup({}, { table: "missing" });
    await expect(sink.write("acme", recentEvents("m", 1))).rejects.toThrow(NotFoundError);
  });

  it("is opened from a timestream:DATABASE/TABLE spec", async () => {
    const { endpoint, rows } = await setup();
    const sink = await openSink(`timestream:${DB}/${TABLE}`, {
      timestream: {
        endpoint: endpoint.url,
        region: endpoint.region,
        credentials: endpoint.credentials,
        now: () => NOW,
      },
    });
    cleanups.push(() => sink.close());
    expect(sink).toBeInstanceOf(TimestreamSink);
    await sink.write("acme", recentEvents("o", 2));
    expect(await rows(`SELECT count(*) FROM ${TABLE_SQL}`)).toEqual([["2"]]);
  });
});

describe("TimestreamSink daily activity", () => {
  /** The rollup table's records as [tenant, day, user_kind, protocol, user], sorted. */
  async function activeDayRows(client: TimestreamQueryClient, table = ROLLUP_SQL): Promise<string[][]> {
    const records = await measureRecords(client, ACTIVE_DAY_MEASURE, table);
    return records
      .map((r) => {
        expect(field(r, "measure_value::bigint")).toBe("1");
        return ["tenant", "time", "user_kind", "protocol", "user"].map((name) => field(r, name));
      })
      .sort((a, b) => a.join("|").localeCompare(b.join("|")));
  }

  function rollupBatch() {
    return [
      sampleEvent({ id: "a", time: timestamp("2024-03-05T00:00:00Z"), user: "u", protocol: "ssh" }),
      sampleEvent({ id: "b", time: timestamp("2024-03-05T11:59:00Z"), user: "u", protocol: "ssh" }),
      sampleEvent({ id: "c", time: timestamp("2024-03-05T11:00:00Z"), user: "u", protocol: "" }),
      sampleEvent({ id: "d", time: timestamp("2024-03-04T23:59:59.999Z"), user: "u", protocol: "ssh" }),
      sampleEvent({ id: "e", time: timestamp("2024-03-05T10:00:00Z"), user: "", protocol: "kube" }),
      sampleEvent({ id: "f", time: timestamp("2024-03-05T10:00:00Z"), user: "b", userKind: 2 }),
    ];
  }

  const expectedRows = [
    ["acme", "2024-03-04 00:00:00.000000000", "1", "ssh", "u"],
    ["acme", "2024-03-05 00:00:00.000000000", "1", "", "u"],
    ["acme", "2024-03-05 00:00:00.000000000", "1", "ssh", "u"],
    ["acme", "2024-03-05 00:00:00.000000000", "2", "ssh", "b"],
  ];

  it("writes one record per (UTC day, user kind, protocol, user) of the events with a user", async () => {
    const { sink, endpoint } = await setup();
    const query = queryClient(endpoint);
    cleanups.push(() => Promise.resolve(query.destroy()));
    await expect(sink.write("acme", rollupBatch())).resolves.toEqual({ accepted: 6 });
    expect(await activeDayRows(query)).toEqual(expectedRows);
    // The events' own table holds no daily activity, and the rollup table no events.
    expect(await measureRecords(query, ACTIVE_DAY_MEASURE)).toEqual([]);
    expect(await measureRecords(query, EVENT_MEASURE, ROLLUP_SQL)).toEqual([]);
  });

  for (const [mode, rejectIdenticalDuplicates] of [
    ["accepting", false],
    ["rejecting", true],
  ] as const) {
    it(`leaves the daily activity as it was when a batch is re-sent, on an endpoint ${mode} identical re-writes`, async () => {
      const { sink, endpoint } = await setup({ rejectIdenticalDuplicates });
      const query = queryClient(endpoint);
      cleanups.push(() => Promise.resolve(query.destroy()));
      await sink.write("acme", rollupBatch());
      // Whole, in part and with other events of the same active days.
      await expect(sink.write("acme", rollupBatch())).resolves.toEqual({ accepted: 6 });
      await sink.write("acme", rollupBatch().slice(2, 4));
      await sink.write("acme", [
        sampleEvent({ id: "g", time: timestamp("2024-03-05T09:00:00Z"), user: "u" }),
      ]);
      expect(await activeDayRows(query)).toEqual(expectedRows);
      const rejected = endpoint.writeRequests.filter((r) => r.table === ROLLUP).map((r) => r.rejected);
      expect(rejected).toEqual(rejectIdenticalDuplicates ? [0, 4, 2, 1] : [0, 0, 0, 0]);
    });
  }

  it("fails the batch when the daily activity table is missing, and a re-send completes it", async () => {
    const { sink, endpoint } = await setup({ tables: [TABLES[0]!] });
    const query = queryClient(endpoint);
    cleanups.push(() => Promise.resolve(query.destroy()));
    const err: unknown = await sink.write("acme", rollupBatch()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain(`daily activity table ${DB}/${ROLLUP} does not exist`);
    await endpoint.createTable(TABLES[1]!);
    await expect(sink.write("acme", rollupBatch())).resolves.toEqual({ accepted: 6 });
    expect(await activeDayRows(query)).toEqual(expectedRows);
    expect(await measureRecords(query, EVENT_MEASURE)).toHaveLength(6);
  });

  it("fails the batch when the rollup table keeps less than a day in its memory store", async () => {
    const { sink, endpoint } = await setup({
      tables: [TABLES[0]!, { database: DB, table: ROLLUP, memoryStoreRetentionHours: 6 }],
    });
    // At noon, the day's start is twelve hours back: outside six hours of memory store.
    const err: unknown = await sink.write("acme", recentEvents("r", 2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimestreamRetentionError);
    expect((err as TimestreamRetentionError).table).toBe(`${DB}/${ROLLUP}`);
    expect((err as TimestreamRetentionError).rejected.map((r) => r.item)).toEqual([
      "active day 2024-03-05 of user user-0",
      "active day 2024-03-05 of user user-1",
    ]);
    endpoint.updateTable(DB, ROLLUP, { magneticStoreWrites: true });
    await expect(sink.write("acme", recentEvents("r", 2))).resolves.toEqual({ accepted: 2 });
  });

  it("writes no daily activity for a batch Timestream refuses as before 1970", async () => {
    const { sink, endpoint } = await setup();
    const early = [sampleEvent({ id: "early", time: timestamp("1969-12-31T23:00:00Z") })];
    await expect(sink.write("acme", early)).rejects.toThrow(InvalidArgumentError);
    expect(endpoint.calls("WriteRecords")).toBe(1);
  });

  it("writes a daily activity table named in the spec", async () => {
    const { endpoint } = await setup();
    await endpoint.createTable({ database: DB, table: "active_days", memoryStoreRetentionHours: 48 });
    const store = await openStore(`timestream:${DB}/${TABLE},active_days`, {
      timestream: {
        endpoint: endpoint.url,
        region: endpoint.region,
        credentials: endpoint.credentials,
        now: () => NOW,
      },
    });
    cleanups.push(() => store.close());
    await (store.sink as TimestreamSink).backfill;
    await store.sink.write("acme", rollupBatch());
    const query = queryClient(endpoint);
    cleanups.push(() => Promise.resolve(query.destroy()));
    expect(await activeDayRows(query, `"${DB}"."active_days"`)).toEqual(expectedRows);
    expect(await activeDayRows(query)).toEqual([]);
    const rows = await (await store.queries()).monthlyActiveUsers({ months: parseMonthRange("2024-03") });
    expect(rows.filter((r) => r.mau > 0).map((r) => [r.user_kind, r.protocol, r.mau])).toEqual([
      ["human", null, 1],
      ["human", "ssh", 1],
    ]);
  });

  it("refuses the events table as its own daily activity table", () => {
    expect(() => new TimestreamSink({ database: DB, table: TABLE, rollupTable: TABLE })).toThrow(
      InvalidArgumentError,
    );
  });
});
