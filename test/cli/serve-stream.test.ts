import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, REPO_ROOT } from "../support/cli.js";
import { freePort, startCli, type RunningCli } from "../support/processes.js";

interface Streamed {
  event: { uid?: string; event: string };
  cursor: string;
}

function parseLines(stdout: string): Streamed[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Streamed);
}

describe("ingest, serve and stream from the command line", () => {
  let dir: string;
  let port: number;
  let server: RunningCli;
  let fixtures: { uid?: string; event: string }[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tenant-events-cli-"));
    const input = await readFile(join(REPO_ROOT, "test/fixtures/teleport-events.jsonl"), "utf8");
    fixtures = input
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { uid?: string; event: string });
    const ingested = await runCli(["ingest", "--audit-log", `file:${dir}`], { input });
    expect(ingested.code).toBe(0);
    expect(ingested.stdout).toMatch(/ingested 20 event\(s\)/);
    port = await freePort();
    server = startCli(["serve", "--audit-log", `file:${dir}`, "--listen", `127.0.0.1:${port}`]);
    await server.waitForLog(/events server ready/);
  });

  afterAll(async () => {
    server?.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("streams all 20 events in order and exits once caught up", async () => {
    const result = await runCli(["stream", "--server", `127.0.0.1:${port}`, "--json"]);
    expect(result.code).toBe(0);
    const lines = parseLines(result.stdout);
    expect(lines.map((l) => l.event.event)).toEqual(fixtures.map((f) => f.event));
    expect(lines.map((l) => l.event.uid)).toEqual(fixtures.map((f) => f.uid));
  });

  it("resumes from the 10th event's cursor with exactly the last 10", async () => {
    const all = parseLines((await runCli(["stream", "--server", `127.0.0.1:${port}`, "--json"])).stdout);
    const tenth = all[9];
    expect(tenth).toBeDefined();
    const rest = await runCli([
      "stream",
      "--server",
      `127.0.0.1:${port}`,
      "--json",
      "--cursor",
      tenth!.cursor,
    ]);
    expect(rest.code).toBe(0);
    expect(parseLines(rest.stdout)).toEqual(all.slice(10));
  });

  it("rejects a malformed cursor with one clear line and exit code 2", async () => {
    const result = await runCli(["stream", "--server", `127.0.0.1:${port}`, "--cursor", "[1,2]"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: cursor is not a JSON object/);
  });

  it("rejects a malformed server address with exit code 2 before connecting", async () => {
    const result = await runCli(["stream", "--server", "no port here"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: .*"no port here" is not HOST:PORT/);
  });

  it("rejects a cursor from another audit log with exit code 2", async () => {
    const foreign = JSON.stringify({
      shard_id_to_sequence_number: { "shardId-00000001700000000000-0a1b2c3d": "4900" },
    });
    const result = await runCli(["stream", "--server", `127.0.0.1:${port}`, "--cursor", foreign]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/shardId-00000001700000000000-0a1b2c3d/);
  });

  it("answers a cursor naming a day before the oldest file with DATA_LOSS; serve --on-trim skip continues", async () => {
    const cursor = JSON.stringify({ shard_id_to_sequence_number: { "2026-08-01.log": "100" } });
    const refused = await runCli(["stream", "--server", `127.0.0.1:${port}`, "--cursor", cursor]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/2026-08-01\.log, which no longer exists while later day files do/);

    const skipPort = await freePort();
    const skipping = startCli([
      "serve",
      "--audit-log",
      `file:${dir}`,
      "--listen",
      `127.0.0.1:${skipPort}`,
      "--on-trim",
      "skip",
    ]);
    try {
      await skipping.waitForLog(/events server ready/);
      const rest = await runCli([
        "stream",
        "--server",
        `127.0.0.1:${skipPort}`,
        "--json",
        "--cursor",
        cursor,
      ]);
      expect(rest.code).toBe(0);
      expect(parseLines(rest.stdout).map((l) => l.event.uid)).toEqual(fixtures.map((f) => f.uid));
      expect(skipping.stderr()).toMatch(/"file":"2026-08-01\.log"/);
    } finally {
      skipping.child.kill("SIGKILL");
    }
  });
});

describe("serve shutdown", () => {
  it("exits 0 on SIGTERM", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tenant-events-cli-"));
    try {
      const port = await freePort();
      const server = startCli(["serve", "--audit-log", `file:${dir}`, "--listen", `127.0.0.1:${port}`]);
      await server.waitForLog(/events server ready/);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(server.stderr()).toMatch(/events server stopped/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses to listen beyond loopback without TLS and a token", async () => {
    const result = await runCli(["serve", "--audit-log", "file:.", "--listen", "0.0.0.0:0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/loopback/);
  });
});
