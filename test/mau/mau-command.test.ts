import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type MauFlags, run } from "../../src/cli/commands/mau.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { NotFoundError } from "../../src/errors/errors.js";
import { DuckDbSink } from "../../src/store/duckdb/duckdb-sink.js";
import { TimestreamSink } from "../../src/store/timestream/timestream-sink.js";
import {
  startTimestreamEndpoint,
  type TimestreamEndpoint,
} from "../support/timestream-endpoint/timestream-endpoint.js";
import { activityByTenant } from "./support/activity-fixtures.js";
import { allText, descendants, parseXml } from "./support/xml.js";

// The command as the CLI runs it (`tenant-events mau …`), called in-process with a captured stdout.

let dir: string;
let duckdb: string;
const NOW = new Date("2026-10-15T12:00:00Z");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mau-command-"));
  duckdb = join(dir, "events.duckdb");
  const sink = await DuckDbSink.open(duckdb);
  for (const [tenant, events] of activityByTenant()) await sink.write(tenant, events);
  await sink.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function mau(flags: Partial<MauFlags>): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = "";
  stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const code = await run(
    { sink: `duckdb:${duckdb}`, month: "2026-09", logLevel: "silent", ...flags },
    { stdout, now: () => NOW },
  );
  return { code, out };
}

interface JsonRow {
  tenant: string;
  month: string;
  user_kind: string;
  protocol: string | null;
  mau: number;
}

describe("mau", () => {
  it("prints MAU per tenant and protocol as JSON", async () => {
    const { code, out } = await mau({ format: "json" });
    expect(code).toBe(0);
    const rows = JSON.parse(out) as JsonRow[];
    expect(rows).toHaveLength(18);
    expect(rows[0]).toEqual({ tenant: "acme", month: "2026-09", user_kind: "human", protocol: null, mau: 3 });
    expect(rows.filter((r) => r.mau > 0).map((r) => `${r.tenant} ${r.protocol ?? "all"} ${r.mau}`)).toEqual([
      "acme all 3",
      "acme ssh 2",
      "acme kube 1",
      "globex all 2",
      "globex db 1",
      "globex app 1",
      "initech all 1",
      "initech desktop 1",
    ]);
  });

  it("prints an aligned table by default", async () => {
    const { out } = await mau({ tenant: "acme" });
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^tenant\s+month\s+user_kind\s+protocol\s+mau$/);
    expect(lines[2]).toMatch(/^acme\s+2026-09\s+human\s+\(all\)\s+3$/);
    expect(lines).toHaveLength(2 + 6);
  });

  it("prints CSV, bots included on request", async () => {
    const { out } = await mau({ format: "csv", tenant: "acme", includeBots: true });
    const lines = out.trimEnd().split("\r\n");
    expect(lines[0]).toBe("tenant,month,user_kind,protocol,mau");
    expect(lines).toContain("acme,2026-09,bot,,2");
    expect(lines).toContain("acme,2026-09,bot,kube,1");
    expect(lines).toHaveLength(1 + 12);
  });

  it("covers a range of months", async () => {
    const { out } = await mau({ format: "json", month: "2026-08..2026-10", tenant: "globex" });
    const all = (JSON.parse(out) as JsonRow[])
      .filter((r) => r.protocol === null)
      .map((r) => [r.month, r.mau]);
    expect(all).toEqual([
      ["2026-08", 1],
      ["2026-09", 2],
      ["2026-10", 1],
    ]);
  });

  it("prints the rolling series up to today", async () => {
    const { out } = await mau({ format: "json", show: "rolling", month: "2026-10", tenant: "acme" });
    const rows = JSON.parse(out) as { day: string; mau: number; window_days: number }[];
    expect(rows.map((r) => r.day)).toHaveLength(15);
    expect(rows.at(-1)?.day).toBe("2026-10-15");
    expect(rows.slice(0, 3).map((r) => r.mau)).toEqual([3, 3, 2]);
    expect(rows.every((r) => r.window_days === 30)).toBe(true);
  });

  it("prints the latest usage reports", async () => {
    const { out } = await mau({ format: "csv", show: "usage" });
    expect(out).toBe(
      "tenant,cluster,time,users,servers,databases,apps,kube_clusters,desktops,roles,auth_connectors\r\n",
    );
  });

  it("writes an SVG chart of the months", async () => {
    const chart = join(dir, "mau.svg");
    await mau({ month: "2026-08..2026-10", chart, includeBots: true });
    const svg = parseXml(await readFile(chart, "utf8"));
    const panels = descendants(svg).filter((e) => e.attributes.class === "panel");
    expect(panels.map((p) => `${p.attributes["data-tenant"]}/${p.attributes["data-user-kind"]}`)).toEqual([
      "acme/human",
      "acme/bot",
      "globex/human",
      "globex/bot",
      "initech/human",
      "initech/bot",
    ]);
    const acme = panels[0]!;
    const series = descendants(acme).filter((e) => e.attributes.class === "series");
    expect(series.map((s) => s.attributes["data-series"])).toEqual(["all", "ssh", "kube"]);
    const all = series[0]!.children.filter((c) => c.name === "rect").map((r) => r.attributes["data-value"]);
    expect(all).toEqual(["0", "3", "2"]);
    // The rolling line stops at today: August 1 to October 15.
    const line = descendants(acme).find((e) => e.name === "polyline");
    expect(line?.attributes["data-days"]).toBe("76");
    expect(allText(svg)).toContain("Monthly active users per protocol, 2026-08 to 2026-10 (UTC)");
  });

  it.each<[string, Partial<MauFlags>, RegExp]>([
    ["a malformed month", { month: "2026-13" }, /not a calendar month/],
    ["a reversed range", { month: "2026-10..2026-09" }, /reversed/],
    ["a tenant id with a quote", { tenant: "acme' OR '1'='1" }, /not a tenant id/],
    ["a tenant id with a statement", { tenant: "acme'; DROP TABLE events; --" }, /not a tenant id/],
    ["an unknown format", { format: "yaml" }, /expected one of table, json, csv/],
    ["an unknown view", { show: "everything" }, /expected one of mau, rolling, usage/],
    ["an unknown sink", { sink: "sqlite:x.db" }, /unknown kind/],
    ["a bad Timestream name", { sink: "timestream:db/t" }, /3 to 256/],
    ["--endpoint with DuckDB", { endpoint: "http://127.0.0.1:1" }, /timestream: sink only/],
    ["an empty chart file name", { chart: "" }, /--chart needs a file name/],
  ])("refuses %s as bad input", async (_, flags, message) => {
    const attempt = mau(flags);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });

  it("reports a missing DuckDB file as a failure, not bad input", async () => {
    await expect(mau({ sink: `duckdb:${join(dir, "nope.duckdb")}` })).rejects.toThrow(NotFoundError);
  });

  describe("on Timestream", () => {
    let endpoint: TimestreamEndpoint;
    let sink: TimestreamSink;

    beforeAll(async () => {
      endpoint = await startTimestreamEndpoint({
        tables: [
          { database: "usage", table: "activity", magneticStoreWrites: true },
          { database: "usage", table: "activity_daily", magneticStoreWrites: true },
        ],
      });
      sink = TimestreamSink.open({
        database: "usage",
        table: "activity",
        endpoint: endpoint.url,
        region: endpoint.region,
        credentials: endpoint.credentials,
      });
      await sink.backfill;
      for (const [tenant, events] of activityByTenant()) await sink.write(tenant, events);
      // The command takes credentials from the AWS SDK's chain, as in production.
      vi.stubEnv("AWS_ACCESS_KEY_ID", endpoint.credentials.accessKeyId);
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", endpoint.credentials.secretAccessKey);
    });

    afterAll(async () => {
      vi.unstubAllEnvs();
      await sink.close();
      await endpoint.close();
    });

    it("prints the same numbers as DuckDB", async () => {
      const flags = { format: "json", month: "2026-08..2026-10", includeBots: true };
      const fromTimestream = await mau({
        ...flags,
        sink: "timestream:usage/activity",
        endpoint: endpoint.url,
        region: endpoint.region,
      });
      const fromDuckDb = await mau(flags);
      expect(fromTimestream.out).toBe(fromDuckDb.out);
      expect((JSON.parse(fromTimestream.out) as JsonRow[]).length).toBe(108);
    });
  });
});
