import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { freePort, startCli } from "../support/processes.js";

describe("tenant-events demo", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tenant-events-demo-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("generates, serves, reports and prints MAU per month and protocol, keeping its state under --data", async () => {
    const data = join(dir, "first");
    const result = await runCli(["demo", "--data", data, "--events", "3000", "--users", "40"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/reporter: 3000 audit events read/);
    const header = result.stdout.split("\n")[0] ?? "";
    expect(header.split(/\s+/)).toEqual(["tenant", "month", "user_kind", "protocol", "mau"]);
    for (const protocol of ["(all)", "ssh", "kube", "db", "app", "desktop"]) {
      expect(result.stdout).toMatch(
        new RegExp(`^demo\\s+\\d{4}-\\d{2}\\s+human\\s+${protocol.replace(/[()]/g, "\\$&")}\\s+\\d+`, "m"),
      );
    }
    expect(result.stdout).toContain(`chart:         ${join(data, "mau.svg")}`);
    const svg = await readFile(join(data, "mau.svg"), "utf8");
    expect(svg).toMatch(/<svg[^>]*>[\s\S]*MAU, ssh[\s\S]*<\/svg>\s*$/);
    expect((await readdir(data)).sort()).toEqual(
      expect.arrayContaining(["audit-log", "credentials", "cursor", "mau.svg", "usage.duckdb"]),
    );

    // A rerun resumes from the saved cursor: nothing new to read, the same table.
    const again = await runCli(["demo", "--data", data]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/reporter: 0 audit events read/);
    expect(again.stdout.split("\n\n")[0]).toBe(result.stdout.split("\n\n")[0]);
  });

  it("generates nothing when given an audit log", async () => {
    const data = join(dir, "given");
    const result = await runCli(["demo", "--data", data, "--audit-log", "file:examples/audit-log"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/generating/);
    expect(result.stderr).toMatch(/reporter: 20 audit events read/);
    expect(result.stdout).toMatch(/^demo\s+2026-09\s+human\s+\(all\)\s+6\s*$/m);
    expect(await readdir(data)).not.toContain("audit-log");
  });

  it("with --follow serves metrics while it runs and exits 0 on SIGTERM with the cursor saved", async () => {
    const data = join(dir, "follow");
    const metricsPort = await freePort();
    const demo = startCli([
      "demo",
      "--data",
      data,
      "--events",
      "2000",
      "--follow",
      "--metrics-listen",
      `127.0.0.1:${metricsPort}`,
    ]);
    await demo.waitForLog(/reporter: 2000 audit events read/);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^tenant_events_reporter_events_consumed_total 2000$/m);
    expect(metrics).toMatch(/^tenant_events_server_events_streamed_total 2000$/m);
    demo.child.kill("SIGTERM");
    expect(await demo.exited).toBe(0);
    const cursor = JSON.parse(await readFile(join(data, "cursor"), "utf8")) as {
      shard_id_to_sequence_number: Record<string, string>;
    };
    expect(Object.keys(cursor.shard_id_to_sequence_number)).toHaveLength(1);
  });
});
