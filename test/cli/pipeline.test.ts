import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, REPO_ROOT } from "../support/cli.js";
import { freePort, startCli } from "../support/processes.js";

interface MauRow {
  tenant: string;
  month: string;
  user_kind: string;
  protocol: string | null;
  mau: number;
}

/**
 * The whole pipeline as separate processes from the command line: ingest the fixtures, serve them, run
 * the tenants service on DuckDB, report until caught up, then query MAU.
 */
describe("the pipeline from the command line", () => {
  let dir: string;
  let rows: MauRow[];
  let reportStderr: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tenant-events-pipeline-"));
    const token = "acme-reporter-token-6f1d";
    await writeFile(join(dir, "token"), `${token}\n`);
    await writeFile(join(dir, "key"), "cluster-id-7c9e\n");
    await writeFile(
      join(dir, "tenant-tokens.json"),
      JSON.stringify({
        tenants: [{ id: "acme", token_sha256: createHash("sha256").update(token).digest("hex") }],
      }),
    );
    const input = await readFile(join(REPO_ROOT, "test/fixtures/teleport-events.jsonl"), "utf8");
    expect((await runCli(["ingest", "--audit-log", `file:${join(dir, "log")}`], { input })).code).toBe(0);

    const eventsPort = await freePort();
    const tenantsPort = await freePort();
    const sink = `duckdb:${join(dir, "usage.duckdb")}`;
    const serve = startCli([
      "serve",
      "--audit-log",
      `file:${join(dir, "log")}`,
      "--listen",
      `127.0.0.1:${eventsPort}`,
    ]);
    const tenants = startCli([
      "tenants",
      "--sink",
      sink,
      "--tenant-tokens",
      join(dir, "tenant-tokens.json"),
      "--listen",
      `127.0.0.1:${tenantsPort}`,
    ]);
    try {
      await Promise.all([
        serve.waitForLog(/events server ready/),
        tenants.waitForLog(/tenants service ready/),
      ]);
      const report = await runCli([
        "report",
        "--server",
        `127.0.0.1:${eventsPort}`,
        "--tenants",
        `127.0.0.1:${tenantsPort}`,
        "--tenant-token-file",
        join(dir, "token"),
        "--anonymization-key-file",
        join(dir, "key"),
        "--cursor-file",
        join(dir, "cursor"),
        "--until-caught-up",
        "--log-format",
        "json",
      ]);
      reportStderr = report.stderr;
      expect(report.code, report.stderr).toBe(0);
    } finally {
      serve.child.kill("SIGTERM");
      tenants.child.kill("SIGTERM");
      expect(await tenants.exited).toBe(0);
      expect(await serve.exited).toBe(0);
    }
    const mau = await runCli([
      "mau",
      "--sink",
      sink,
      "--month",
      "2026-09",
      "--format",
      "json",
      "--include-bots",
    ]);
    expect(mau.code, mau.stderr).toBe(0);
    rows = JSON.parse(mau.stdout) as MauRow[];
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("counts September's users by the active-user rule", () => {
    const mau = (kind: string, protocol: string | null) =>
      rows.find(
        (r) =>
          r.tenant === "acme" && r.month === "2026-09" && r.user_kind === kind && r.protocol === protocol,
      )?.mau;
    // By hand from the fixtures: alice (login, ssh), bob (kube session, exec, kube request, port forward),
    // carol (db), dave (app), erin (desktop), charlie (ssh); the bot's ssh session; bot.join has no user.
    expect(mau("human", null)).toBe(6);
    expect(mau("human", "ssh")).toBe(2);
    expect(mau("human", "kube")).toBe(1);
    expect(mau("human", "db")).toBe(1);
    expect(mau("human", "app")).toBe(1);
    expect(mau("human", "desktop")).toBe(1);
    expect(mau("bot", null)).toBe(1);
    expect(mau("bot", "ssh")).toBe(1);
  });

  it("saves the cursor at the end of the log", async () => {
    const cursor = JSON.parse(await readFile(join(dir, "cursor"), "utf8")) as {
      shard_id_to_sequence_number: Record<string, string>;
    };
    const last = await stat(join(dir, "log", "2026-09-25.log"));
    expect(cursor.shard_id_to_sequence_number).toEqual({ "2026-09-25.log": String(last.size) });
  });

  it("keeps user names out of the central side's database", async () => {
    const wal = await readFile(join(dir, "usage.duckdb.wal")).catch(() => Buffer.alloc(0));
    const db = Buffer.concat([await readFile(join(dir, "usage.duckdb")), wal]);
    for (const name of [
      "alice@acme.com",
      "bob@acme.com",
      "carol@globex.io",
      "bot-ci-deployer",
      "acme-prod.teleport.sh",
    ]) {
      expect(db.includes(Buffer.from(name))).toBe(false);
    }
    expect(reportStderr).not.toContain("alice@acme.com");
  });
});
