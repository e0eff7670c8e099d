import { appendFile, mkdir, rename, stat, truncate, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventsClient, type EventsClient } from "../../src/client/events-client.js";
import { formatEvent } from "../../src/events/codec.js";
import type { StreamEvent } from "../../src/gen/auth/auth.js";
import { freePort } from "../support/processes.js";
import { byMode, figure, random } from "./support/mode.js";
import { serveArgs, Service, workDir } from "./support/pipeline.js";

const DAY = "2026-09-01";
const FILE = `${DAY}.log`;

type Operation = "append" | "replace" | "rotate" | "truncate";

/** Event lines of one length, so a truncation can be made to leave the file shorter than it was. */
function line(i: number): string {
  const time = `${DAY}T${String(i % 24).padStart(2, "0")}:00:00.000Z`;
  return JSON.stringify({
    ei: 0,
    event: "user.login",
    uid: `file-op-${String(i).padStart(6, "0")}`,
    code: "T1000I",
    time,
    user: `user-${String(i % 1000).padStart(3, "0")}@acme.com`,
    success: true,
  });
}

async function metric(port: number, name: string, label: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = new RegExp(`^${name}\\{change="${label}"\\} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * What operators do to a file audit log under a following stream, against `serve` as a process: append,
 * delete and write anew, rotate logrotate-style (rename, then create), truncate (copytruncate) and append.
 * The follower receives every event written after each operation, in order, none twice; the server logs
 * and counts each replacement and truncation, and cursors from after the last change resume exactly.
 * Hostile lines (nested thousands deep, invalid UTF-8, malformed around planted secrets) get the same
 * verdict on every read, and the logs name their positions and kinds only.
 */
describe("bad input: files changed under a following stream", () => {
  const ROUNDS = byMode(12, 60);
  let dir: string;
  let cleanup: () => Promise<void>;
  let serve: Service;
  let metricsPort: number;
  let client: EventsClient;

  beforeAll(async () => {
    ({ dir, cleanup } = await workDir("files"));
    await mkdir(join(dir, "log"));
    await writeFile(join(dir, "log", FILE), "");
    metricsPort = await freePort();
    const args = serveArgs(dir);
    serve = await Service.create(
      (port) => [...args(port), "--metrics-listen", `127.0.0.1:${metricsPort}`],
      /events server ready/,
    );
    await serve.start();
    client = await createEventsClient(serve.address);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await serve?.stop();
    await cleanup?.();
  });

  it(`delivers every event across ${ROUNDS} appends, replacements, rotations and truncations`, async () => {
    const path = join(dir, "log", FILE);
    const next = random(15);
    const controller = new AbortController();
    const received: StreamEvent[] = [];
    let arrived: () => void = () => undefined;
    const following = (async () => {
      for await (const event of client.streamEvents("", { signal: controller.signal })) {
        received.push(event);
        arrived();
      }
    })();
    // A lost event would leave the follower waiting: give up after 30 s with what did arrive.
    const untilReceived = async (count: number): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${received.length} of ${count} events arrived`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          arrived = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };

    try {
      let written = 0;
      let inFile = 0;
      const expected: string[] = [];
      const counts: Record<Operation, number> = { append: 0, replace: 0, rotate: 0, truncate: 0 };
      const lines = (count: number): string => {
        const text = Array.from({ length: count }, () => `${line(++written)}\n`).join("");
        for (let i = written - count + 1; i <= written; i++) expected.push(line(i));
        return text;
      };
      for (let round = 0; round < ROUNDS; round++) {
        const operations: Operation[] = ["append", "replace", "rotate", "truncate"];
        // Each kind at least once, then at random.
        const operation = round < 4 ? operations[round]! : operations[Math.floor(next() * 4)]!;
        const count = 1 + Math.floor(next() * 8);
        if (operation === "append") {
          await appendFile(path, lines(count));
          inFile += count;
        } else if (operation === "replace") {
          await unlink(path);
          await writeFile(path, lines(count));
          inFile = count;
        } else if (operation === "rotate") {
          await rename(path, `${path}.${round}`);
          await writeFile(path, lines(count));
          inFile = count;
        } else {
          // Fewer lines than the file held, written at once: the shrink is what gives the truncation away.
          if (inFile < 2) {
            await appendFile(path, lines(2 - inFile));
            inFile = 2;
            await untilReceived(expected.length);
          }
          const shorter = Math.min(count, inFile - 1);
          await truncate(path, 0);
          await appendFile(path, lines(shorter));
          inFile = shorter;
        }
        counts[operation]++;
        await untilReceived(expected.length);
      }
      const uids = received.map((e) => (JSON.parse(formatEvent(e.event ?? {})) as { uid?: string }).uid);
      expect(uids).toEqual(expected.map((l) => (JSON.parse(l) as { uid: string }).uid));

      expect(await metric(metricsPort, "tenant_events_auditlog_file_changes_total", "replaced")).toBe(
        counts.replace + counts.rotate,
      );
      expect(await metric(metricsPort, "tenant_events_auditlog_file_changes_total", "truncated")).toBe(
        counts.truncate,
      );
      // Positions and kinds only: no event's content in the server's logs.
      expect(serve.stderr()).toMatch(/"change":"replaced"/);
      expect(serve.stderr()).not.toMatch(/file-op-|user-\d{3}@acme\.com/);

      // The last cursor is an offset in the current file: a resume after it has nothing more, and one
      // from the current file's first event has exactly the rest of that file.
      const last = received.at(-1)!;
      const rest = [];
      for await (const e of client.streamEvents(last.cursor, { untilCaughtUp: true })) rest.push(e);
      expect(rest).toEqual([]);
      const firstOfFile = received.at(-inFile)!;
      const tail = [];
      for await (const e of client.streamEvents(firstOfFile.cursor, { untilCaughtUp: true })) tail.push(e);
      expect(tail.map((e) => e.cursor)).toEqual(
        received.slice(received.length - inFile + 1).map((e) => e.cursor),
      );
      expect((await stat(path)).size).toBe(inFile * (line(written).length + 1));
      figure("files changed under a follower", { rounds: ROUNDS, events: written, ...counts });
    } finally {
      controller.abort();
      await following;
    }
  });

  // After the follower's test: a later day file finishes the one it follows.
  it("gives hostile lines (deep nesting, invalid UTF-8, planted secrets) the same verdict every run, logging no content", async () => {
    const day = "2026-09-02.log";
    const nested = (depth: number): string => "[".repeat(depth) + "1" + "]".repeat(depth);
    const good = (i: number, extra = ""): string =>
      `{"ei":0,"event":"user.login","uid":"hostile-${i}","code":"T1000I","time":"2026-09-02T00:00:00Z","user":"u"${extra}}`;
    const lines: Buffer[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 12; i++) {
      if (i % 4 === 0) lines.push(Buffer.from(good(i, `,"deep":${nested(3_000 + 200 * i)}`)));
      else if (i % 4 === 1)
        lines.push(Buffer.concat([Buffer.from(good(i, ',"x":"PLANTED-')), Buffer.from([0xff, 0x22])]));
      else if (i % 4 === 2) lines.push(Buffer.from(`{"user":"PLANTED-${i}", oops}`));
      else {
        lines.push(Buffer.from(good(i, `,"deep":${nested(255)}`)));
        expected.push(`hostile-${i}`);
      }
    }
    await writeFile(join(dir, "log", day), Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])));
    const cursor = JSON.stringify({ shard_id_to_sequence_number: { [day]: "0" } });
    for (let run = 0; run < 3; run++) {
      const uids: (string | undefined)[] = [];
      for await (const e of client.streamEvents(cursor, { untilCaughtUp: true })) {
        uids.push((JSON.parse(formatEvent(e.event ?? {})) as { uid?: string }).uid);
      }
      expect(uids.filter((u) => u?.startsWith("hostile-"))).toEqual(expected);
    }
    expect(serve.stderr()).toMatch(/"reason":"JSON nested deeper than 256 levels"/);
    expect(serve.stderr()).toMatch(/"reason":"not valid UTF-8"/);
    expect(serve.stderr()).not.toMatch(/PLANTED|hostile-/);
    figure("hostile lines", { lines: lines.length, delivered: expected.length, runs: 3 });
  });
});
