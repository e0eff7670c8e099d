import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, REPO_ROOT } from "../support/cli.js";
import { startDynamoDbLocal, type DynamoDbLocal } from "../support/dynamodb-local.js";
import { freePort, startCli, type RunningCli } from "../support/processes.js";

interface Streamed {
  event: { uid?: string; event: string };
  cursor: string;
}

const TABLE = "teleport-events";

function parseLines(stdout: string): Streamed[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Streamed);
}

describe("ingest, serve and stream against DynamoDB Local from the command line", () => {
  let local: DynamoDbLocal;
  let env: Record<string, string>;
  let server: RunningCli;
  let port: number;
  let fixtures: { uid?: string; event: string }[];

  beforeAll(async () => {
    local = await startDynamoDbLocal();
    env = {
      AWS_REGION: local.clientConfig.region,
      AWS_ACCESS_KEY_ID: local.clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: local.clientConfig.credentials.secretAccessKey,
      TENANT_EVENTS_ENDPOINT: local.endpoint,
    };
    const input = await readFile(join(REPO_ROOT, "test/fixtures/teleport-events.jsonl"), "utf8");
    fixtures = input
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { uid?: string; event: string });
    const ingested = await runCli(["ingest", "--audit-log", `dynamodb:${TABLE}`], { input, env });
    expect(ingested.stderr).not.toMatch(/^line \d+:/m);
    expect(ingested.code).toBe(0);
    expect(ingested.stdout).toMatch(/ingested 20 event\(s\) into DynamoDB table teleport-events/);
    port = await freePort();
    server = startCli(["serve", "--audit-log", `dynamodb:${TABLE}`, "--listen", `127.0.0.1:${port}`], {
      ...env,
      TENANT_EVENTS_POLL_INTERVAL: "200ms",
    });
    await server.waitForLog(/events server ready/);
  }, 120_000);

  afterAll(async () => {
    server?.child.kill("SIGKILL");
    await local?.stop();
  });

  it("streams every ingested event, then resumes from a middle cursor with exactly the rest", async () => {
    const all = await runCli(["stream", "--server", `127.0.0.1:${port}`, "--json"]);
    expect(all.code).toBe(0);
    const lines = parseLines(all.stdout);
    // One shard: the stream keeps write order, which is the fixtures' order.
    expect(lines.map((l) => l.event.uid)).toEqual(fixtures.map((f) => f.uid));
    expect(lines[9]!.cursor).toMatch(/^\{"shard_id_to_sequence_number":\{"shardId-/);

    const rest = await runCli([
      "stream",
      "--server",
      `127.0.0.1:${port}`,
      "--json",
      "--cursor",
      lines[9]!.cursor,
    ]);
    expect(rest.code).toBe(0);
    expect(rest.stdout.split("\n").filter((l) => l !== "")).toEqual(
      all.stdout
        .split("\n")
        .filter((l) => l !== "")
        .slice(10),
    );
  });

  it("--cursors checkpoints sends the same events with the cursor on the last of the page only", async () => {
    const every = await runCli(["stream", "--server", `127.0.0.1:${port}`, "--json"]);
    const checkpoints = await runCli([
      "stream",
      "--server",
      `127.0.0.1:${port}`,
      "--json",
      "--cursors",
      "checkpoints",
    ]);
    expect(checkpoints.code).toBe(0);
    const [all, sparse] = [parseLines(every.stdout), parseLines(checkpoints.stdout)];
    expect(sparse.map((l) => l.event)).toEqual(all.map((l) => l.event));
    // 20 records fit one GetRecords page: one checkpoint, on the last event, the per-event cursor there.
    expect(sparse.slice(0, -1).map((l) => l.cursor)).toEqual(Array<string>(19).fill(""));
    expect(sparse.at(-1)?.cursor).toBe(all.at(-1)?.cursor);

    const summary = await runCli(["stream", "--server", `127.0.0.1:${port}`, "--cursors", "checkpoints"]);
    expect(summary.stderr).toContain(`20 event(s); resume with --cursor '${all.at(-1)?.cursor}'`);
  });

  it("streams events holding every JSON shape as they were ingested", async () => {
    const table = "json-shapes";
    const input = await readFile(join(REPO_ROOT, "test/fixtures/json-shapes.jsonl"), "utf8");
    const expected = input
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as unknown);
    const ingested = await runCli(["ingest", "--audit-log", `dynamodb:${table}`], { input, env });
    expect(ingested.stderr).not.toMatch(/^line \d+:/m);
    expect(ingested.code).toBe(0);
    const shapesPort = await freePort();
    const shapes = startCli(
      ["serve", "--audit-log", `dynamodb:${table}`, "--listen", `127.0.0.1:${shapesPort}`],
      env,
    );
    try {
      await shapes.waitForLog(/events server ready/);
      const streamed = await runCli(["stream", "--server", `127.0.0.1:${shapesPort}`, "--json"]);
      expect(streamed.code).toBe(0);
      expect(parseLines(streamed.stdout).map((l) => l.event)).toEqual(expected);
      expect(shapes.stderr()).not.toMatch(/not JSON|passed over/);
    } finally {
      shapes.child.kill("SIGKILL");
    }
  });

  it("ingest refuses an oversized line and a line that is not UTF-8 before parsing, as for a file log", async () => {
    const good = (i: number) =>
      `{"ei":0,"event":"user.login","uid":"bounded-${i}","code":"T1000I","time":"2026-09-01T08:00:0${i}Z","user":"u${i}"}`;
    const input = Buffer.concat([
      Buffer.from(`${good(1)}\n{"event":"user.login","pad":"${"x".repeat(17 * 1024 * 1024)}"}\n`),
      Buffer.from('{"event":"user.login","user":"bad-'),
      Buffer.from([0xff, 0x22, 0x7d, 0x0a]),
      Buffer.from(`${good(2)}\n`),
    ]);
    const result = await runCli(["ingest", "--audit-log", "dynamodb:bounded-lines"], { input, env });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").filter((l) => l.startsWith("line "))).toEqual([
      "line 2: longer than 16777216 bytes",
      "line 3: not valid UTF-8",
    ]);
    expect(result.stdout).toMatch(
      /ingested 2 event\(s\) into DynamoDB table bounded-lines; 2 invalid line\(s\) skipped/,
    );
  });

  it("rejects a file audit log's cursor as belonging to another log", async () => {
    const cursor = JSON.stringify({ shard_id_to_sequence_number: { "2026-09-01.log": "633" } });
    const result = await runCli(["stream", "--server", `127.0.0.1:${port}`, "--cursor", cursor]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/2026-09-01\.log/);
  });
});
