import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDbSink } from "../../src/store/duckdb/duckdb-sink.js";
import { hashToken } from "../../src/tenants/index.js";
import { sampleEvents } from "../store/sample-events.js";
import { commandOptions } from "../compose/cli-help.js";
import { runCli } from "../support/cli.js";
import { freePort, startCli } from "../support/processes.js";

/** `tenants --event-retention DAYS [--event-retention-interval D]`: event retention in the tenants service. */
describe("tenants --event-retention", () => {
  let dir: string;
  let tokens: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tenant-events-retention-"));
    tokens = join(dir, "tokens.json");
    await writeFile(
      tokens,
      JSON.stringify({ tenants: [{ id: "acme", token_sha256: hashToken("acme-token") }] }),
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const base = (sink: string, port = 0) => [
    "tenants",
    "--sink",
    sink,
    "--tenant-tokens",
    tokens,
    "--listen",
    `127.0.0.1:${port}`,
  ];

  it("is listed in help with its environment variables, off by default, the interval's default shown", async () => {
    const options = await commandOptions("tenants");
    expect(options.get("--event-retention")).toMatchObject({
      takesValue: true,
      env: "TENANT_EVENTS_EVENT_RETENTION",
    });
    expect(options.get("--event-retention-interval")).toMatchObject({
      takesValue: true,
      env: "TENANT_EVENTS_EVENT_RETENTION_INTERVAL",
    });
    const help = (await runCli(["tenants", "--help"])).stdout.replace(/\s+/g, " ");
    expect(help).toContain("(default: off;");
    expect(help).toContain("time between event retention runs (default: 1h)");
  });

  it.each([
    [["--event-retention", "0"], /--event-retention <days>' argument '0' is invalid/],
    [["--event-retention", "-3"], /--event-retention <days>' argument '-3' is invalid/],
    [["--event-retention", "ten"], /--event-retention <days>' argument 'ten' is invalid/],
    [
      ["--event-retention", "30", "--event-retention-interval", "soon"],
      /--event-retention-interval <duration>' argument 'soon' is invalid/,
    ],
    [
      ["--event-retention", "30", "--event-retention-interval", "0"],
      /^error: --event-retention-interval must be more than 0$/m,
    ],
    [
      ["--event-retention-interval", "1h"],
      /^error: --event-retention-interval applies only with --event-retention$/m,
    ],
  ])("refuses %j with exit code 2", async (flags, message) => {
    const result = await runCli([...base(`duckdb:${join(dir, "refused.duckdb")}`), ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/service ready/);
  });

  it("refuses a bad value from the environment too", async () => {
    const result = await runCli(base(`duckdb:${join(dir, "refused.duckdb")}`), {
      env: { TENANT_EVENTS_EVENT_RETENTION: "0" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--event-retention <days>' value '0' from env 'TENANT_EVENTS_EVENT_RETENTION' is invalid/,
    );
  });

  it("is refused with a timestream: sink, before connecting", async () => {
    const result = await runCli([...base("timestream:usage/events"), "--event-retention", "30"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: --event-retention: a timestream: sink keeps no raw events to expire here " +
        "(the Timestream table's own retention expires them)\n",
    );
  });

  it("expires old events at start, set from the environment, and counts them on /metrics", async () => {
    const path = join(dir, "usage.duckdb");
    const seed = await DuckDbSink.open(path);
    await seed.write("acme", sampleEvents("old", 10, "2024-03-05T10:00:00.000Z"));
    await seed.close();
    const metricsPort = await freePort();
    const service = startCli(
      [...base(`duckdb:${path}`, await freePort()), "--metrics-listen", `127.0.0.1:${metricsPort}`],
      {
        TENANT_EVENTS_EVENT_RETENTION: "30",
      },
    );
    try {
      await service.waitForLog(/"deleted":10,"msg":"event retention: raw events expired"/);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/^tenant_events_tenants_expired_events_total 10$/m);
      service.child.kill("SIGTERM");
      expect(await service.exited).toBe(0);
    } finally {
      service.child.kill("SIGKILL");
    }
    const after = await DuckDbSink.open(path);
    try {
      const reader = await (
        await after.queryConnection()
      ).runAndReadAll("SELECT count(*)::INTEGER AS n FROM events");
      expect(reader.getRowObjectsJS()).toEqual([{ n: 0 }]);
    } finally {
      await after.close();
    }
  }, 60_000);
});
