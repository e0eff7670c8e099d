import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, UnavailableError } from "../../src/errors/errors.js";
import { parseMonthRange } from "../../src/mau/calendar.js";
import { DuckDbSink } from "../../src/store/duckdb/duckdb-sink.js";
import { openSink, openStore, openUsageQueries } from "../../src/store/open-store.js";
import { sampleEvents } from "./sample-events.js";

describe("the store opener", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "open-store-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("openSink opens a DuckDB sink from duckdb:PATH whose query connection sees the writes", async () => {
    const sink = await openSink(`duckdb:${join(dir, "events.duckdb")}`);
    try {
      expect(sink).toBeInstanceOf(DuckDbSink);
      await sink.write("acme", sampleEvents("f", 3));
      const conn = await (sink as DuckDbSink).queryConnection();
      const reader = await conn.runAndReadAll(`SELECT count(DISTINCT "user")::INTEGER AS users FROM events`);
      expect(reader.getRowObjectsJS()).toEqual([{ users: 3 }]);
    } finally {
      await sink.close();
    }
  });

  it("openStore gives the sink and queries that see its writes, the same queries on every call", async () => {
    const store = await openStore(`duckdb:${join(dir, "events.duckdb")}`);
    try {
      await store.sink.write("acme", sampleEvents("f", 3));
      const queries = await store.queries();
      expect(await store.queries()).toBe(queries);
      const rows = await queries.monthlyActiveUsers({ months: parseMonthRange("2024-03") });
      expect(rows.find((r) => r.protocol === null)).toMatchObject({
        tenant: "acme",
        month: "2024-03",
        mau: 3,
      });
    } finally {
      await store.close();
    }
    await expect(store.sink.write("acme", sampleEvents("g", 1))).rejects.toThrow(UnavailableError);
  });

  it("a DuckDB store tells the months with activity, and none while it holds none", async () => {
    const store = await openStore(`duckdb:${join(dir, "events.duckdb")}`);
    try {
      expect(store.activityMonths).toBeDefined();
      expect(await store.activityMonths?.()).toBeUndefined();
      // An event without a user makes nobody active: no MAU to report for its month.
      await store.sink.write("acme", [
        { ...sampleEvents("none", 1, "2023-12-31T12:00:00.000Z")[0]!, user: "", type: "cert.create" },
      ]);
      expect(await store.activityMonths?.()).toBeUndefined();
      await store.sink.write("acme", [
        ...sampleEvents("a", 1, "2024-01-31T23:30:00.000Z"),
        ...sampleEvents("b", 1, "2024-04-01T00:00:00.000Z"),
      ]);
      expect(await store.activityMonths?.()).toEqual({
        from: { year: 2024, month: 1 },
        to: { year: 2024, month: 4 },
      });
    } finally {
      await store.close();
    }
  });

  it("openUsageQueries reads a DuckDB file once its writer has closed", async () => {
    const path = join(dir, "events.duckdb");
    const store = await openStore(`duckdb:${path}`);
    await store.sink.write("acme", sampleEvents("f", 2));
    await store.close();
    const queries = await openUsageQueries(`duckdb:${path}`);
    try {
      const rows = await queries.monthlyActiveUsers({ months: parseMonthRange("2024-03") });
      expect(rows.find((r) => r.protocol === null)?.mau).toBe(2);
    } finally {
      await queries.close();
    }
  });

  it("refuses unknown specs", async () => {
    await expect(openSink("s3:bucket")).rejects.toThrow(InvalidArgumentError);
    await expect(openStore("s3:bucket")).rejects.toThrow(InvalidArgumentError);
    await expect(openUsageQueries("s3:bucket")).rejects.toThrow(InvalidArgumentError);
  });
});
