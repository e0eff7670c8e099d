import { appendFile, readFile, readdir, rename, stat, truncate, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendEvents } from "../../../src/auditlog/file/append-events.js";
import { FileAuditLog } from "../../../src/auditlog/file/file-audit-log.js";
import type { FileAuditLogOptions } from "../../../src/auditlog/file/file-audit-log-options.js";
import { EMPTY_CURSOR, decodeCursor, type Cursor } from "../../../src/cursor/cursor.js";
import { MAX_JSON_DEPTH } from "../../../src/events/json-guard.js";
import {
  DataLossError,
  FailedPreconditionError,
  InvalidArgumentError,
  UnavailableError,
} from "../../../src/errors/errors.js";
import type { StreamEvent } from "../../../src/gen/auth/auth.js";
import { newRegistry, type Registry } from "../../../src/observability/metrics.js";
import { canonical, collect, eventLine, fixtureLines, metricValue, tempDir, text } from "./helpers.js";
import { eventually } from "../../support/eventually.js";
import { captureLogs } from "../../support/log-capture.js";

const MALFORMED = "tenant_events_auditlog_malformed_lines_total";
const MISSING = "tenant_events_auditlog_file_missing_total";
const BYTES_READ = "tenant_events_auditlog_file_bytes_read_total";
const CHANGES = "tenant_events_auditlog_file_changes_total";
const HOUR = 3_600_000;

let dir: string;
let cleanup: () => Promise<void>;
let registry: Registry;
const logs: FileAuditLog[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  registry = newRegistry();
});

afterEach(async () => {
  await Promise.all(logs.splice(0).map((l) => l.close()));
  await cleanup();
});

function auditLog(options: FileAuditLogOptions = {}): FileAuditLog {
  const log = new FileAuditLog(dir, { registry, pollIntervalMs: 20, ...options });
  logs.push(log);
  return log;
}

function caughtUp(log: FileAuditLog, cursor: Cursor | string = EMPTY_CURSOR): Promise<StreamEvent[]> {
  const c = typeof cursor === "string" ? decodeCursor(cursor) : cursor;
  return collect(log.streamEvents(c, { untilCaughtUp: true }));
}

function iterate<T>(iterable: AsyncIterable<T>): AsyncIterator<T> {
  return iterable[Symbol.asyncIterator]();
}

async function firstError(iterable: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of iterable) return undefined;
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("FileAuditLog over the fixtures", () => {
  let fixtures: string[];

  beforeEach(async () => {
    fixtures = await fixtureLines();
    const result = await appendEvents(dir, fixtures);
    expect(result).toMatchObject({ written: 20, late: 0, invalid: 0 });
  });

  it("streams all 20 in order, each with the cursor just after its line", async () => {
    const events = await caughtUp(auditLog());
    expect(events.map(text)).toEqual(fixtures.map(canonical));

    const files = (await readdir(dir)).sort();
    const ends = new Map<string, number[]>();
    for (const file of files) {
      const content = await readFile(join(dir, file), "utf8");
      let offset = 0;
      const list: number[] = [];
      for (const line of content.split("\n").slice(0, -1)) {
        offset += Buffer.byteLength(line) + 1;
        list.push(offset);
      }
      ends.set(file, list);
    }
    const expected = files.flatMap((f) =>
      (ends.get(f) ?? []).map((o) => JSON.stringify({ shard_id_to_sequence_number: { [f]: String(o) } })),
    );
    expect(events.map((e) => e.cursor)).toEqual(expected);
  });

  it("resumes from the 10th cursor with exactly the last 10", async () => {
    const log = auditLog();
    const all = await caughtUp(log);
    const rest = await caughtUp(log, all[9]?.cursor ?? "");
    expect(rest.map(text)).toEqual(fixtures.slice(10).map(canonical));
  });

  it("resumes from every emitted cursor with exactly the remainder", async () => {
    const log = auditLog();
    const all = await caughtUp(log);
    for (const [i, e] of all.entries()) {
      const rest = await caughtUp(log, e.cursor);
      expect(rest.map(text)).toEqual(fixtures.slice(i + 1).map(canonical));
    }
  });

  it("starts at the end with start: latest", async () => {
    expect(await caughtUp(auditLog({ start: "latest" }))).toEqual([]);
  });

  it("refuses a cursor whose day file retention removed with DATA_LOSS, counting nothing", async () => {
    const log = auditLog();
    const all = await caughtUp(log);
    const cursor = decodeCursor(all[2]?.cursor ?? "");
    const [file] = [...cursor.keys()];
    await unlink(join(dir, file ?? ""));

    const err = await firstError(log.streamEvents(cursor));
    expect(err).toBeInstanceOf(DataLossError);
    expect((err as Error).message).toMatch(/no longer exists while later day files do/);
    expect(await metricValue(registry, MISSING)).toBe(0);
  });

  it('with onTrim "skip", skips a day file removed by retention, with a warning and a count', async () => {
    const { logger, records } = captureLogs();
    const log = auditLog({ logger, onTrim: "skip" });
    const all = await caughtUp(log);
    const cursor = decodeCursor(all[2]?.cursor ?? "");
    const [file] = [...cursor.keys()];
    await unlink(join(dir, file ?? ""));

    const rest = await caughtUp(log, cursor);
    const firstOfNextFile = all.findIndex((e) => !e.cursor.includes(file ?? ""));
    expect(rest.map(text)).toEqual(fixtures.slice(firstOfNextFile).map(canonical));
    expect(await metricValue(registry, MISSING)).toBe(1);
    expect(records.some((r) => r["level"] === 40 && r["file"] === file)).toBe(true);
  });
});

describe("FileAuditLog following", () => {
  it("sees appended lines and new day files while streaming", async () => {
    await appendEvents(dir, [eventLine("2026-09-01", 1)]);
    const controller = new AbortController();
    const stream = iterate(auditLog().streamEvents(EMPTY_CURSOR, { signal: controller.signal }));

    expect(text((await stream.next()).value as StreamEvent)).toBe(canonical(eventLine("2026-09-01", 1)));
    const pending = stream.next();
    await appendFile(join(dir, "2026-09-01.log"), `${eventLine("2026-09-01", 2)}\n`);
    expect(text((await pending).value as StreamEvent)).toBe(canonical(eventLine("2026-09-01", 2)));

    await writeFile(join(dir, "2026-09-02.log"), `${eventLine("2026-09-02", 3)}\n`);
    const third = (await stream.next()).value as StreamEvent;
    expect(text(third)).toBe(canonical(eventLine("2026-09-02", 3)));
    expect(decodeCursor(third.cursor)).toEqual(
      new Map([["2026-09-02.log", String(eventLine("2026-09-02", 3).length + 1)]]),
    );

    controller.abort();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it("wakes on fs.watch notifications without polling", async () => {
    await writeFile(join(dir, "2026-09-01.log"), "");
    const controller = new AbortController();
    const stream = iterate(
      auditLog({ pollIntervalMs: HOUR }).streamEvents(EMPTY_CURSOR, { signal: controller.signal }),
    );
    const pending = stream.next();
    // Give the stream time to reach its wait, so the append is noticed by the watcher, not the first read.
    await new Promise((r) => setTimeout(r, 50));
    await appendFile(join(dir, "2026-09-01.log"), `${eventLine("2026-09-01", 1)}\n`);
    expect(text((await pending).value as StreamEvent)).toBe(canonical(eventLine("2026-09-01", 1)));
    controller.abort();
  });

  it("does not emit a partial last line until its newline arrives", async () => {
    const line = eventLine("2026-09-01", 1);
    const file = join(dir, "2026-09-01.log");
    await writeFile(file, line.slice(0, 20));
    const controller = new AbortController();
    const log = auditLog();
    const stream = iterate(log.streamEvents(EMPTY_CURSOR, { signal: controller.signal }));
    const pending = stream.next();
    await eventually(async () => (await metricValue(registry, BYTES_READ)) >= 20, "the first lines read");

    await appendFile(file, `${line.slice(20)}\n`);
    const event = (await pending).value as StreamEvent;
    expect(text(event)).toBe(canonical(line));
    expect(decodeCursor(event.cursor)).toEqual(new Map([["2026-09-01.log", String(line.length + 1)]]));
    expect(await metricValue(registry, MALFORMED)).toBe(0);
    controller.abort();
  });

  it("ends a caught-up stream before a partial last line", async () => {
    const file = join(dir, "2026-09-01.log");
    await writeFile(file, `${eventLine("2026-09-01", 1)}\n${eventLine("2026-09-01", 2).slice(0, 30)}`);
    const events = await caughtUp(auditLog());
    expect(events.map(text)).toEqual([canonical(eventLine("2026-09-01", 1))]);
    expect(await metricValue(registry, MALFORMED)).toBe(0);
  });

  it("with start: latest, delivers only what is written after the start, including a line being written", async () => {
    const file = join(dir, "2026-09-01.log");
    await writeFile(file, `${eventLine("2026-09-01", 1)}\n${eventLine("2026-09-01", 2).slice(0, 30)}`);
    const controller = new AbortController();
    const stream = iterate(
      auditLog({ start: "latest" }).streamEvents(EMPTY_CURSOR, { signal: controller.signal }),
    );
    const pending = stream.next();
    // Once the start is found (its search reads the file) and the partial line read, complete the line.
    const size = (await stat(file)).size;
    await eventually(
      async () => (await metricValue(registry, BYTES_READ)) >= size + 30,
      "the appended lines read",
    );
    await appendFile(file, `${eventLine("2026-09-01", 2).slice(30)}\n`);
    expect(text((await pending).value as StreamEvent)).toBe(canonical(eventLine("2026-09-01", 2)));
    controller.abort();
  });

  it("reads a finished file's last line that has no newline, and resumes after it", async () => {
    await writeFile(
      join(dir, "2026-09-01.log"),
      `${eventLine("2026-09-01", 1)}\n${eventLine("2026-09-01", 2)}`,
    );
    await writeFile(join(dir, "2026-09-02.log"), `${eventLine("2026-09-02", 3)}\n`);
    const log = auditLog();
    const events = await caughtUp(log);
    expect(events.map(text)).toEqual(
      [1, 2].map((i) => canonical(eventLine("2026-09-01", i))).concat(canonical(eventLine("2026-09-02", 3))),
    );
    const rest = await caughtUp(log, events[1]?.cursor ?? "");
    expect(rest.map(text)).toEqual([canonical(eventLine("2026-09-02", 3))]);
  });

  it("waits for the first day file of an empty directory", async () => {
    const controller = new AbortController();
    const stream = iterate(auditLog().streamEvents(EMPTY_CURSOR, { signal: controller.signal }));
    const pending = stream.next();
    await appendEvents(dir, [eventLine("2026-09-05", 1)]);
    expect(text((await pending).value as StreamEvent)).toBe(canonical(eventLine("2026-09-05", 1)));
    controller.abort();
  });

  it("ends a caught-up stream of an empty directory at once", async () => {
    expect(await caughtUp(auditLog())).toEqual([]);
  });
});

describe("FileAuditLog when a day file changes under a follower", () => {
  const FILE = "2026-09-01.log";
  const line = (i: number): string => eventLine("2026-09-01", i);

  /** A follower that has taken the first `count` events of the day file and waits for more. */
  async function followerAtEnd(first = `${line(1)}\n${line(2)}\n`, count = 2) {
    const { logger, records } = captureLogs();
    await writeFile(join(dir, FILE), first);
    const controller = new AbortController();
    const log = auditLog({ logger });
    const stream = iterate(log.streamEvents(EMPTY_CURSOR, { signal: controller.signal }));
    const taken: StreamEvent[] = [];
    while (taken.length < count) taken.push((await stream.next()).value as StreamEvent);
    const next = async () => (await stream.next()).value as StreamEvent;
    return { log, controller, next, taken, records };
  }

  const changes = async (change: string) => {
    const metric = registry.getSingleMetric(CHANGES);
    return (await metric?.get())?.values.find((v) => v.labels["change"] === change)?.value ?? 0;
  };

  it("reads a file deleted and written anew from its start, logs and counts it, and its cursors resume", async () => {
    const { log, controller, next, taken, records } = await followerAtEnd();
    expect(taken.map(text)).toEqual([1, 2].map((i) => canonical(line(i))));
    const pending = next();
    await unlink(join(dir, FILE));
    await writeFile(join(dir, FILE), `${line(3)}\n${line(4)}\n`);
    const third = await pending;
    const fourth = await next();
    expect([third, fourth].map(text)).toEqual([3, 4].map((i) => canonical(line(i))));
    expect(decodeCursor(fourth.cursor)).toEqual(
      new Map([[FILE, String(line(3).length + line(4).length + 2)]]),
    );
    expect(await changes("replaced")).toBe(1);
    const warning = records.find((r) => r["change"] === "replaced");
    expect(warning).toMatchObject({ level: 40, file: FILE, readOffset: line(1).length + line(2).length + 2 });
    expect(JSON.stringify(records)).not.toContain("uid-");
    controller.abort();
    expect((await caughtUp(log, third.cursor)).map(text)).toEqual([canonical(line(4))]);
  });

  it("follows a logrotate-style rotation (rename, then create) into the new file", async () => {
    const { controller, next } = await followerAtEnd();
    const pending = next();
    await rename(join(dir, FILE), join(dir, `${FILE}.1`));
    await writeFile(join(dir, FILE), `${line(3)}\n`);
    expect(text(await pending)).toBe(canonical(line(3)));
    await appendFile(join(dir, FILE), `${line(4)}\n`);
    expect(text(await next())).toBe(canonical(line(4)));
    expect(await changes("replaced")).toBe(1);
    controller.abort();
  });

  it("keeps the open file while its name is gone, and reads what replaces it", async () => {
    const { controller, next } = await followerAtEnd();
    const pending = next();
    await rename(join(dir, FILE), join(dir, `${FILE}.1`));
    // Several polls with the name gone: nothing is lost or repeated, and no change is counted yet.
    await new Promise((r) => setTimeout(r, 100));
    expect(await changes("replaced")).toBe(0);
    await writeFile(join(dir, FILE), `${line(3)}\n`);
    expect(text(await pending)).toBe(canonical(line(3)));
    controller.abort();
  });

  it("delivers a replaced file's unterminated last line, with a cursor at the new file's start", async () => {
    const { log, controller, next, taken } = await followerAtEnd(`${line(1)}\n${line(2)}`, 1);
    expect(taken.map(text)).toEqual([canonical(line(1))]);
    const pending = next();
    await unlink(join(dir, FILE));
    await writeFile(join(dir, FILE), `${line(3)}\n`);
    const tail = await pending;
    expect(text(tail)).toBe(canonical(line(2)));
    expect(decodeCursor(tail.cursor)).toEqual(new Map([[FILE, "0"]]));
    expect(text(await next())).toBe(canonical(line(3)));
    controller.abort();
    expect((await caughtUp(log, tail.cursor)).map(text)).toEqual([canonical(line(3))]);
  });

  it("reads a file truncated below the read offset (copytruncate) from its start, losing nothing written after", async () => {
    const { log, controller, next } = await followerAtEnd();
    const pending = next();
    await truncate(join(dir, FILE), 0);
    await appendFile(join(dir, FILE), `${line(3)}\n`);
    const third = await pending;
    expect(text(third)).toBe(canonical(line(3)));
    expect(decodeCursor(third.cursor)).toEqual(new Map([[FILE, String(line(3).length + 1)]]));
    expect(await changes("truncated")).toBe(1);
    expect(await metricValue(registry, MALFORMED)).toBe(0);
    await appendFile(join(dir, FILE), `${line(4)}\n`);
    expect(text(await next())).toBe(canonical(line(4)));
    controller.abort();
    expect((await caughtUp(log, third.cursor)).map(text)).toEqual([canonical(line(4))]);
  });

  it("drops the unfinished line a truncation cut away", async () => {
    const { controller, next } = await followerAtEnd(`${line(1)}\n${line(2)}\n${line(5).slice(0, 20)}`);
    await eventually(
      async () => (await metricValue(registry, BYTES_READ)) >= line(1).length + line(2).length + 22,
      "the unfinished line read",
    );
    const pending = next();
    await truncate(join(dir, FILE), 0);
    await appendFile(join(dir, FILE), `${line(3)}\n`);
    expect(text(await pending)).toBe(canonical(line(3)));
    expect(await metricValue(registry, MALFORMED)).toBe(0);
    controller.abort();
  });

  it("a resume from a cursor beyond a truncated file's end stays INVALID_ARGUMENT", async () => {
    await writeFile(join(dir, FILE), `${line(1)}\n${line(2)}\n`);
    const log = auditLog();
    const all = await caughtUp(log);
    await truncate(join(dir, FILE), 0);
    await appendFile(join(dir, FILE), `${line(3)}\n`);
    expect(await firstError(log.streamEvents(decodeCursor(all[1]?.cursor ?? "")))).toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe("FileAuditLog malformed lines", () => {
  it("skips, logs and counts them, and still advances the cursor past them", async () => {
    const good = [1, 2, 3].map((i) => eventLine("2026-09-01", i));
    const content = Buffer.concat([
      Buffer.from(`${good[0]}\nnot json at all\n\n[1,2]\n`),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]),
      Buffer.from(`{"event":"${"x".repeat(300)}"}\n${good[1]}\n{"secret":"alice`),
      Buffer.from(`"\n${good[2]}\n`),
    ]);
    await writeFile(join(dir, "2026-09-01.log"), content);
    const { logger, records } = captureLogs();
    const log = auditLog({ logger, maxLineBytes: 200, chunkBytes: 16 });
    const events = await caughtUp(log);

    expect(events.map(text)).toEqual(good.map(canonical));
    expect(await metricValue(registry, MALFORMED)).toBe(5);
    const warnings = records.filter((r) => r["msg"] === "skipping a malformed audit log line");
    expect(warnings).toHaveLength(5);
    expect(JSON.stringify(records)).not.toContain("alice");
    expect(warnings.map((w) => w["reason"])).toContain("longer than 200 bytes");
    expect(warnings.map((w) => w["reason"])).toContain("not valid UTF-8");

    const afterSecond = await caughtUp(log, events[1]?.cursor ?? "");
    expect(afterSecond.map(text)).toEqual([canonical(good[2] ?? "")]);
    expect(Number(decodeCursor(events[1]?.cursor ?? "").get("2026-09-01.log"))).toBe(
      content.indexOf(`${good[1]}\n`) + (good[1]?.length ?? 0) + 1,
    );
  });
});

describe("FileAuditLog hostile lines", () => {
  const nested = (depth: number): string => "[".repeat(depth) + "1" + "]".repeat(depth);
  const deepEvent = (i: number, depth: number): string =>
    `{"ei":${i},"event":"user.login","uid":"uid-${i}","time":"2026-09-01T00:00:00Z","deep":${nested(depth - 1)}}`;

  it("skips lines nested deeper than the bound the same way on every run, and delivers the bound", async () => {
    const lines = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 0
        ? deepEvent(i, 3_000 + 200 * i)
        : i % 3 === 1
          ? deepEvent(i, MAX_JSON_DEPTH)
          : eventLine("2026-09-01", i),
    );
    await writeFile(join(dir, "2026-09-01.log"), `${lines.join("\n")}\n`);
    const { logger, records } = captureLogs();
    const log = auditLog({ logger });
    for (let run = 0; run < 3; run++) {
      const events = await caughtUp(log);
      expect(events.map((e) => (JSON.parse(text(e)) as { uid: string }).uid)).toEqual(
        lines.flatMap((_, i) => (i % 3 === 0 ? [] : [`uid-${i}`])),
      );
    }
    const reasons = records
      .filter((r) => r["msg"] === "skipping a malformed audit log line")
      .map((r) => r["reason"]);
    expect(reasons).toEqual(Array<string>(12).fill(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`));
  });

  it("logs the position and kind of a malformed line, never its content", async () => {
    const secrets = ["PLANTED-one", "PLANTED-two", "PLANTED-three"];
    const bad = [`${secrets[0]} is not JSON`, `{"user":"${secrets[1]}", oops}`, `{"token":${secrets[2]}}`];
    await writeFile(join(dir, "2026-09-01.log"), `${[...bad, eventLine("2026-09-01", 1)].join("\n")}\n`);
    const { logger, records } = captureLogs();
    expect(await caughtUp(auditLog({ logger }))).toHaveLength(1);
    const warnings = records.filter((r) => r["msg"] === "skipping a malformed audit log line");
    expect(warnings.map((w) => w["reason"])).toEqual([
      "not valid JSON at position 0",
      "not valid JSON at position 23",
      "not valid JSON at position 9",
    ]);
    expect(warnings.map((w) => w["offset"])).toEqual([
      0,
      bad[0]!.length + 1,
      bad[0]!.length + bad[1]!.length + 2,
    ]);
    expect(JSON.stringify(records)).not.toMatch(/PLANTED/);
  });
});

describe("FileAuditLog cursor validation", () => {
  beforeEach(async () => {
    await appendEvents(dir, [eventLine("2026-09-01", 1), eventLine("2026-09-03", 2)]);
  });

  const lineLength = eventLine("2026-09-01", 1).length + 1;

  it.each([
    [
      { "shardId-00000001700000000000-0a1b2c3d": "49000000000000000000123456" },
      /not a shard of this audit log/,
    ],
    [{ "2026-09-01.log.gz": "0" }, /not a shard of this audit log .*another audit log/],
    [{ "2026-09-01.log": "0", "2026-09-03.log": "0" }, /names 2 shards/],
    [{ "2026-09-01.log": String(lineLength + 1) }, /beyond the end of 2026-09-01\.log/],
    [{ "2026-09-01.log": "9".repeat(40) }, /beyond the end of 2026-09-01\.log/],
    [{ "2026-09-01.log": "5" }, /offset 5 is not at the start of a line in 2026-09-01\.log/],
    [{ "2026-09-07.log": "0" }, /does not have, nor any later file/],
  ])("rejects %j", async (shards, message) => {
    const cursor = decodeCursor(JSON.stringify({ shard_id_to_sequence_number: shards }));
    const err = await firstError(auditLog().streamEvents(cursor));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(message);
  });

  it("accepts a cursor at the start, at a line end and at the end of a file", async () => {
    const log = auditLog();
    for (const [offset, count] of [
      ["0", 2],
      [String(lineLength), 1],
    ] as const) {
      const cursor = new Map([["2026-09-01.log", offset]]);
      expect(await caughtUp(log, cursor)).toHaveLength(count);
    }
    expect(await caughtUp(log, new Map([["2026-09-03.log", String(lineLength)]]))).toEqual([]);
  });

  it.each([
    ["older than the oldest file", "2026-08-31.log"],
    ["between two files", "2026-09-02.log"],
  ])(
    "a missing file %s is DATA_LOSS, and with onTrim skip the stream continues with the next file",
    async (_name, file) => {
      const cursor = new Map([[file, "100"]]);
      const err = await firstError(auditLog().streamEvents(cursor));
      expect(err).toBeInstanceOf(DataLossError);
      expect((err as Error).message).toContain(file);
      const next =
        file < "2026-09-01.log"
          ? [eventLine("2026-09-01", 1), eventLine("2026-09-03", 2)]
          : [eventLine("2026-09-03", 2)];
      expect((await caughtUp(auditLog({ onTrim: "skip" }), cursor)).map(text)).toEqual(next.map(canonical));
      expect(await metricValue(registry, MISSING)).toBe(1);
    },
  );

  it("refuses a missing directory", async () => {
    const log = new FileAuditLog(join(dir, "nope"), { registry });
    logs.push(log);
    const err = await firstError(log.streamEvents(EMPTY_CURSOR));
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect((err as Error).message).toMatch(/no such file or directory/);
  });

  it("refuses options out of range", () => {
    expect(() => new FileAuditLog(dir, { chunkBytes: 0 })).toThrow(InvalidArgumentError);
    expect(() => new FileAuditLog(dir, { pollIntervalMs: 2 ** 31 })).toThrow(InvalidArgumentError);
    expect(() => new FileAuditLog(dir, { start: "now" as "latest" })).toThrow(InvalidArgumentError);
    expect(() => new FileAuditLog(dir, { onTrim: "ignore" as "skip" })).toThrow(InvalidArgumentError);
  });
});

describe("FileAuditLog abort and close", () => {
  beforeEach(async () => {
    await appendEvents(dir, [eventLine("2026-09-01", 1)]);
  });

  it("ends a stream waiting for new data when the signal aborts", async () => {
    const controller = new AbortController();
    const stream = iterate(
      auditLog({ pollIntervalMs: HOUR, watch: false }).streamEvents(EMPTY_CURSOR, {
        signal: controller.signal,
      }),
    );
    expect((await stream.next()).done).toBe(false);
    const pending = stream.next();
    controller.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it("yields nothing for an already aborted signal", async () => {
    expect(await collect(auditLog().streamEvents(EMPTY_CURSOR, { signal: AbortSignal.abort() }))).toEqual([]);
  });

  it("ends open streams on close and refuses new ones", async () => {
    const log = auditLog({ pollIntervalMs: HOUR });
    const stream = iterate(log.streamEvents(EMPTY_CURSOR));
    expect((await stream.next()).done).toBe(false);
    const pending = stream.next();
    await log.close();
    expect((await pending).done).toBe(true);
    const err = await firstError(log.streamEvents(EMPTY_CURSOR));
    expect(err).toBeInstanceOf(UnavailableError);
  });
});

describe("FileAuditLog bounded reading", () => {
  it("reads no further ahead than one chunk past what the consumer took", async () => {
    const lines = Array.from({ length: 200 }, (_, i) => eventLine("2026-09-01", i));
    await appendEvents(dir, lines);
    const size = (await stat(join(dir, "2026-09-01.log"))).size;
    const chunkBytes = 256;
    const stream = iterate(auditLog({ chunkBytes }).streamEvents(EMPTY_CURSOR, { untilCaughtUp: true }));

    for (let i = 0; i < 10; i++) {
      const event = (await stream.next()).value as StreamEvent;
      const consumed = Number(decodeCursor(event.cursor).get("2026-09-01.log"));
      const read = await metricValue(registry, BYTES_READ);
      expect(read).toBeGreaterThanOrEqual(consumed);
      expect(read).toBeLessThan(consumed + chunkBytes);
    }
    expect(await metricValue(registry, BYTES_READ)).toBeLessThan(size / 10);
    await stream.return?.();
  });
});
