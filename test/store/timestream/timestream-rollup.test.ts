import { paginateQuery, TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event } from "../../../src/gen/tenants/tenants.js";
import { parseMonthRange } from "../../../src/mau/calendar.js";
import type { RenderedQuery } from "../../../src/mau/dialect.js";
import { type ActivityRelation, monthlyMauSql, rollingMauSql } from "../../../src/mau/sql/metrics.js";
import { checkMonthly, checkRolling } from "../../../src/mau/usage-query.js";
import { timestreamDialect } from "../../../src/store/timestream/timestream-dialect.js";
import { TimestreamSink } from "../../../src/store/timestream/timestream-sink.js";
import {
  startTimestreamEndpoint,
  type TimestreamEndpoint,
} from "../../support/timestream-endpoint/timestream-endpoint.js";
import { sampleEvent, timestamp } from "../sample-events.js";
import { randomActivity } from "./random-activity.js";

const DB = "usage";
/** The events lie in the months before: both tables take them into the magnetic store. */
const NOW = Date.parse("2027-01-01T00:00:00Z");
/** The days events fall on: the end of August to the start of October, across two month boundaries. */
const FIRST_DAY = Date.parse("2026-08-30T00:00:00Z");
const DAYS = 34;

/**
 * One event with a user and a protocol in every set: Timestream's schema has only the columns some
 * record brought, and the queries read `protocol` and `user` from the rollup table.
 */
const ANCHOR = sampleEvent({
  id: "anchor",
  time: timestamp("2026-09-15T12:00:00Z"),
  user: "anchor",
  protocol: "db",
});

const event = randomActivity(FIRST_DAY, DAYS, 40);

/** Batches of one tenant each, and the order they are sent in, re-sends included. */
const sends = fc
  .array(fc.array(event, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 })
  .chain((batches) =>
    fc.tuple(
      fc.constant(batches),
      fc.array(fc.integer({ min: 0, max: batches.length - 1 }), { maxLength: 3 }),
    ),
  )
  .map(([batches, resent]) => {
    const byTenant = batches.map((batch) => {
      const tenant = batch[0]![0];
      return { tenant, events: batch.filter(([t]) => t === tenant).map(([, e]) => e) };
    });
    return [...byTenant, ...resent.map((i) => byTenant[i]!)];
  });

describe("the Timestream daily activity table", () => {
  let endpoint: TimestreamEndpoint;
  let client: TimestreamQueryClient;
  let tables = 0;

  beforeAll(async () => {
    endpoint = await startTimestreamEndpoint({ now: () => NOW });
    client = new TimestreamQueryClient({
      endpoint: endpoint.url,
      region: endpoint.region,
      credentials: endpoint.credentials,
    });
  });

  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
  });

  async function rows(sql: string): Promise<(string | null)[][]> {
    const out: (string | null)[][] = [];
    for await (const page of paginateQuery({ client }, { QueryString: sql })) {
      for (const row of page.Rows ?? []) {
        out.push((row.Data ?? []).map((d) => (d.NullValue ? null : (d.ScalarValue ?? ""))));
      }
    }
    return out;
  }

  /** Fresh tables, the batches written through the sink; the dialect over them. */
  async function store(batches: { tenant: string; events: Event[] }[]) {
    const table = `events_${++tables}`;
    const rollupTable = `${table}_daily`;
    for (const name of [table, rollupTable]) {
      await endpoint.createTable({ database: DB, table: name, magneticStoreWrites: true });
    }
    const sink = new TimestreamSink({
      database: DB,
      table,
      endpoint: endpoint.url,
      region: endpoint.region,
      credentials: endpoint.credentials,
      retry: { initialDelay: 1, maxDelay: 5 },
      now: () => new Date(NOW),
    });
    try {
      await sink.write("initech", [ANCHOR]);
      for (const { tenant, events } of batches) await sink.write(tenant, events);
    } finally {
      await sink.close();
    }
    return { table, rollupTable, dialect: timestreamDialect({ database: DB, table }) };
  }

  const both = async (render: (relation: ActivityRelation) => RenderedQuery) => ({
    rollup: await rows(render("rollup").sql),
    events: await rows(render("events").sql),
  });

  it("holds the distinct (tenant, UTC day, user kind, protocol, user) of the stored events, and MAU from it equals MAU from the events", async () => {
    await fc.assert(
      fc.asyncProperty(sends, fc.constantFrom(1, 7, 30), async (batches, windowDays) => {
        const { table, rollupTable, dialect } = await store(batches);
        const projection = await rows(
          `SELECT DISTINCT tenant, to_milliseconds(date_trunc('day', time)) AS day, user_kind,
             coalesce(protocol, '') AS protocol, "user"
           FROM "${DB}"."${table}" WHERE measure_name = 'active' AND coalesce("user", '') <> ''
           ORDER BY tenant, day, user_kind, protocol, "user"`,
        );
        const rollup = await rows(
          `SELECT tenant, to_milliseconds(time) AS day, user_kind, coalesce(protocol, '') AS protocol, "user"
           FROM "${DB}"."${rollupTable}" WHERE measure_name = 'active_day'
           ORDER BY tenant, day, user_kind, protocol, "user"`,
        );
        expect(rollup).toEqual(projection);
        for (const includeBots of [false, true]) {
          const monthly = checkMonthly({ months: parseMonthRange("2026-08..2026-10"), includeBots });
          const months = await both((relation) => monthlyMauSql(dialect, monthly, relation));
          expect(months.events.length).toBeGreaterThan(0);
          expect(months.rollup).toEqual(months.events);
          const rolling = checkRolling({
            from: Date.parse("2026-08-30T00:00:00Z"),
            to: Date.parse("2026-10-02T00:00:00Z"),
            windowDays,
            includeBots,
          });
          const days = await both((relation) => rollingMauSql(dialect, rolling, relation));
          expect(days.rollup).toEqual(days.events);
        }
      }),
      { numRuns: 20 },
    );
  });
});
