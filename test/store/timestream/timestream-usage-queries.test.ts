import { TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { afterEach, describe, expect, it } from "vitest";
import { FailedPreconditionError, NotFoundError, UnavailableError } from "../../../src/errors/errors.js";
import { UserKind } from "../../../src/gen/tenants/tenants.js";
import {
  activeDayCommonAttributes,
  activeDayRecord,
} from "../../../src/store/timestream/timestream-records.js";
import { TimestreamSink } from "../../../src/store/timestream/timestream-sink.js";
import { parseMonthRange } from "../../../src/mau/calendar.js";
import {
  TimestreamUsageQueries,
  type TimestreamUsageQueriesOptions,
} from "../../../src/store/timestream/timestream-usage-queries.js";
import {
  startTimestreamEndpoint,
  type TimestreamEndpoint,
} from "../../support/timestream-endpoint/timestream-endpoint.js";
import { activityByTenant } from "../../mau/support/activity-fixtures.js";
import { usageQueriesContract } from "../../mau/support/usage-queries-contract.js";

const DB = "usage";
const TABLE = "activity";

/** The records are months old: the tables take them into the magnetic store, as a backfill would. */
async function endpointWithTable(queryPageSize?: number): Promise<TimestreamEndpoint> {
  return startTimestreamEndpoint({
    tables: [
      { database: DB, table: TABLE, magneticStoreWrites: true },
      { database: DB, table: `${TABLE}_daily`, magneticStoreWrites: true },
    ],
    ...(queryPageSize === undefined ? {} : { queryPageSize }),
  });
}

function connection(endpoint: TimestreamEndpoint): TimestreamUsageQueriesOptions {
  return {
    database: DB,
    table: TABLE,
    endpoint: endpoint.url,
    region: endpoint.region,
    credentials: endpoint.credentials,
  };
}

function contract(name: string, queryPageSize?: number): void {
  let endpoint: TimestreamEndpoint | undefined;
  let sink: TimestreamSink | undefined;
  usageQueriesContract(name, {
    async prepare(store) {
      endpoint = await endpointWithTable(queryPageSize);
      // Opened as the tenants service opens it: over empty tables the rollup is complete at once.
      sink = TimestreamSink.open({ ...connection(endpoint), retry: { initialDelay: 1, maxDelay: 5 } });
      await sink.backfill;
      await store(sink);
      return new TimestreamUsageQueries(connection(endpoint));
    },
    async dispose() {
      await sink?.close();
      await endpoint?.close();
    },
  });
}

contract("Timestream test endpoint");
// Three rows a page: every answer above spans several pages.
contract("Timestream test endpoint, small pages", 3);

describe("TimestreamUsageQueries", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(queryPageSize?: number) {
    const endpoint = await endpointWithTable(queryPageSize);
    cleanups.push(() => endpoint.close());
    const queries = new TimestreamUsageQueries(connection(endpoint));
    cleanups.push(() => queries.close());
    return { endpoint, queries };
  }

  async function storeFixtures(endpoint: TimestreamEndpoint) {
    const sink = TimestreamSink.open(connection(endpoint));
    cleanups.push(() => sink.close());
    await sink.backfill;
    for (const [tenant, events] of activityByTenant()) await sink.write(tenant, events);
  }

  it("follows NextToken page by page, with the page size asked for", async () => {
    const { endpoint } = await setup();
    await storeFixtures(endpoint);
    const paged = new TimestreamUsageQueries({ ...connection(endpoint), pageSize: 2 });
    cleanups.push(() => paged.close());
    const before = endpoint.calls("Query");
    const rows = await paged.rollingActiveUsers({
      from: Date.parse("2026-09-01"),
      to: Date.parse("2026-09-30"),
      includeBots: true,
    });
    // 3 tenants × 30 days × 2 kinds, completed from the (fewer) non-zero rows the query returned.
    expect(rows).toHaveLength(180);
    expect(endpoint.calls("Query") - before).toBeGreaterThan(10);
    // A custom endpoint turns endpoint discovery off.
    expect(endpoint.calls("DescribeEndpoints")).toBe(0);
  });

  it("counts MAU from the daily activity table", async () => {
    const { endpoint, queries } = await setup();
    await storeFixtures(endpoint);
    const september = { months: parseMonthRange("2026-09"), tenant: "initech" };
    const before = await queries.monthlyActiveUsers(september);
    // A day of activity only the rollup table holds: the queries count it, so they read that table.
    const raw = new TimestreamWriteClient({
      endpoint: endpoint.url,
      region: endpoint.region,
      credentials: endpoint.credentials,
    });
    cleanups.push(() => Promise.resolve(raw.destroy()));
    await raw.send(
      new WriteRecordsCommand({
        DatabaseName: DB,
        TableName: `${TABLE}_daily`,
        CommonAttributes: activeDayCommonAttributes("initech"),
        Records: [
          activeDayRecord({
            day: Date.parse("2026-09-10"),
            user: "only-in-rollup",
            userKind: UserKind.USER_KIND_HUMAN,
            protocol: "desktop",
          }),
        ],
      }),
    );
    const after = await queries.monthlyActiveUsers(september);
    const mau = (rows: typeof before, protocol: string | null) =>
      rows.find((r) => r.user_kind === "human" && r.protocol === protocol)?.mau;
    expect(mau(after, null)).toBe(mau(before, null)! + 1);
    expect(mau(after, "desktop")).toBe(mau(before, "desktop")! + 1);
  });

  it("reports a missing table as NotFoundError", async () => {
    const { endpoint } = await setup();
    const queries = new TimestreamUsageQueries({ ...connection(endpoint), table: "missing" });
    cleanups.push(() => queries.close());
    await expect(queries.monthlyActiveUsers({ months: parseMonthRange("2026-09") })).rejects.toThrow(
      NotFoundError,
    );
    await expect(queries.latestUsageReports({ before: new Date("2026-10-01T00:00:00Z") })).rejects.toThrow(
      NotFoundError,
    );
    const noRollup = new TimestreamUsageQueries({ ...connection(endpoint), rollupTable: "missing" });
    cleanups.push(() => noRollup.close());
    await expect(noRollup.monthlyActiveUsers({ months: parseMonthRange("2026-09") })).rejects.toThrow(
      NotFoundError,
    );
  });

  it("says a table without records of the kind cannot answer yet", async () => {
    const { queries } = await setup();
    await expect(queries.latestUsageReports({ before: new Date("2026-10-01T00:00:00Z") })).rejects.toThrow(
      FailedPreconditionError,
    );
  });

  it("retries a passing server error and reports a lasting one as UnavailableError", async () => {
    const { endpoint, queries } = await setup();
    await storeFixtures(endpoint);
    endpoint.failNext("Query", "internal", 1);
    const rows = await queries.monthlyActiveUsers({ months: parseMonthRange("2026-09"), tenant: "initech" });
    expect(rows.find((r) => r.protocol === "desktop")?.mau).toBe(1);
    endpoint.failNext("Query", "unavailable", 10);
    await expect(queries.monthlyActiveUsers({ months: parseMonthRange("2026-09") })).rejects.toThrow(
      UnavailableError,
    );
  });
});
