import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { freePort, startCli } from "../support/processes.js";

const event = (i: number, extra = ""): string =>
  `{"ei":0,"event":"user.login","uid":"uid-${i}","code":"T1000I","time":"2026-09-01T08:00:0${i}Z","user":"u${i}"${extra}}`;

/** Input holding one line of every kind a reader must refuse before parsing, among good lines. */
function hostileInput(): Buffer {
  return Buffer.concat([
    Buffer.from(`${event(1)}\n`),
    Buffer.from(`${event(2, `,"pad":"${"x".repeat(17 * 1024 * 1024)}"`)}\n`),
    Buffer.from(event(3, ',"user2":"bad-')),
    Buffer.from([0xff]),
    Buffer.from(`"}\n${event(4)}\r\n`),
    Buffer.from(`{"user":"PLANTED-secret", oops}\n`),
    Buffer.from(`${event(5)}`),
  ]);
}

describe("ingest bounds and decodes each line before parsing it, as serve's reader does", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tenant-events-ingest-input-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses an oversized line and a line that is not UTF-8, and never quotes a line", async () => {
    const result = await runCli(["ingest", "--audit-log", `file:${join(dir, "log")}`], {
      input: hostileInput(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").filter((l) => l.startsWith("line "))).toEqual([
      "line 2: longer than 16777216 bytes",
      "line 3: not valid UTF-8",
      "line 5: not valid JSON at position 26",
    ]);
    expect(result.stdout).toMatch(/ingested 3 event\(s\) into 1 day file\(s\); 3 invalid line\(s\) skipped/);
    expect(result.stdout + result.stderr).not.toMatch(/PLANTED|bad-/);
    const stored = await readFile(join(dir, "log", "2026-09-01.log"), "utf8");
    expect(
      stored
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => (JSON.parse(l) as { uid: string }).uid),
    ).toEqual(["uid-1", "uid-4", "uid-5"]);
  });

  it("gives a line that is not UTF-8 the verdict serve's reader gives it in a day file", async () => {
    const log = join(dir, "log");
    await runCli(["ingest", "--audit-log", `file:${log}`], { input: `${event(1)}\n` });
    // Written behind ingest's back, as another writer could.
    await writeFile(
      join(log, "2026-09-01.log"),
      Buffer.concat([
        Buffer.from(`${event(1)}\n`),
        Buffer.from(event(3, ',"x":"bad-')),
        Buffer.from([0xfe, 0x22, 0x7d, 0x0a]),
      ]),
    );
    const port = await freePort();
    const server = startCli(["serve", "--audit-log", `file:${log}`, "--listen", `127.0.0.1:${port}`]);
    try {
      await server.waitForLog(/events server ready/);
      const streamed = await runCli(["stream", "--server", `127.0.0.1:${port}`, "--json"]);
      expect(streamed.code).toBe(0);
      expect(streamed.stdout.split("\n").filter((l) => l !== "")).toHaveLength(1);
      await server.waitForLog(/skipping a malformed audit log line/);
      expect(server.stderr()).toMatch(/"reason":"not valid UTF-8"/);
      expect(server.stderr()).not.toMatch(/bad-/);
    } finally {
      server.child.kill("SIGKILL");
    }
  });
});
