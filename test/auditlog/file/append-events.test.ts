import { createReadStream } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendEvents } from "../../../src/auditlog/file/append-events.js";
import { FileAuditLog } from "../../../src/auditlog/file/file-audit-log.js";
import { EMPTY_CURSOR } from "../../../src/cursor/cursor.js";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import { newRegistry } from "../../../src/observability/metrics.js";
import {
  FIXTURES,
  canonical,
  collect,
  eventLine,
  fixtureLines,
  metricValue,
  tempDir,
  text,
} from "./helpers.js";
import { captureLogs } from "../../support/log-capture.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});

afterEach(async () => {
  await cleanup();
});

async function fileLines(file: string): Promise<string[]> {
  const content = await readFile(join(dir, file), "utf8");
  expect(content.endsWith("\n")).toBe(true);
  return content.split("\n").slice(0, -1);
}

describe("appendEvents", () => {
  it("writes the fixtures, read from a stream, into their UTC day files, creating the directory", async () => {
    const target = join(dir, "var", "lib", "teleport", "log");
    const lines = createInterface({ input: createReadStream(FIXTURES), crlfDelay: Infinity });
    const result = await appendEvents(target, lines);

    const days = ["01", "03", "09", "15", "18", "22", "25"].map((d) => `2026-09-${d}.log`);
    expect(result).toEqual({ written: 20, late: 0, invalid: 0, invalidLines: [], files: days });
    expect((await readdir(target)).sort()).toEqual(days);
    const fixtures = await fixtureLines();
    for (const file of days) {
      const day = file.slice(0, 10);
      const expected = fixtures.filter((l) => l.includes(`"time":"${day}T`)).map(canonical);
      dir = target;
      expect(await fileLines(file)).toEqual(expected);
    }
  });

  it("files an event by its UTC day, whatever its offset", async () => {
    const line = JSON.stringify({ event: "user.login", time: "2026-09-01T23:30:00-02:00", user: "bob" });
    expect((await appendEvents(dir, [line])).files).toEqual(["2026-09-02.log"]);
  });

  it("appends an event older than the newest file to the newest file, as late", async () => {
    await appendEvents(dir, [eventLine("2026-09-03", 1)]);
    const result = await appendEvents(dir, [
      eventLine("2026-09-01", 2),
      eventLine("2026-09-04", 3),
      eventLine("2026-09-02", 4),
      eventLine("2026-09-04", 5),
    ]);
    expect(result).toMatchObject({ written: 4, late: 2, files: ["2026-09-03.log", "2026-09-04.log"] });
    expect(await fileLines("2026-09-03.log")).toEqual(
      [1, 2].map((i) => canonical(eventLine(i === 1 ? "2026-09-03" : "2026-09-01", i))),
    );
    expect(await fileLines("2026-09-04.log")).toEqual([
      canonical(eventLine("2026-09-04", 3)),
      canonical(eventLine("2026-09-02", 4)),
      canonical(eventLine("2026-09-04", 5)),
    ]);
    expect((await readdir(dir)).sort()).toEqual(["2026-09-03.log", "2026-09-04.log"]);
  });

  it("reports invalid lines with their numbers and reasons, skips blank lines, and writes the rest", async () => {
    const { logger, records } = captureLogs();
    const result = await appendEvents(
      dir,
      [
        eventLine("2026-09-01", 1),
        "not json",
        "",
        "[1,2,3]",
        JSON.stringify({ event: "user.login", user: "carol" }),
        JSON.stringify({ event: "user.login", time: "yesterday" }),
        JSON.stringify({ event: "user.login", time: "2026-09-01T00:00:00Z", pad: "x".repeat(300) }),
        eventLine("2026-09-01", 2),
      ],
      { logger, maxLineBytes: 200 },
    );
    expect(result).toEqual({
      written: 2,
      late: 0,
      invalid: 5,
      invalidLines: [
        { line: 2, reason: "not valid JSON at position 0" },
        { line: 4, reason: "not a JSON object" },
        { line: 5, reason: 'missing "time"' },
        { line: 6, reason: '"time" is not an RFC 3339 timestamp' },
        { line: 7, reason: "longer than 200 bytes" },
      ],
      files: ["2026-09-01.log"],
    });
    expect(records.filter((r) => r["msg"] === "skipping an invalid event line")).toHaveLength(5);
    expect(await fileLines("2026-09-01.log")).toEqual(
      [1, 2].map((i) => canonical(eventLine("2026-09-01", i))),
    );
  });

  it("describes at most maxReportedInvalid invalid lines but counts them all", async () => {
    const result = await appendEvents(dir, ["x", "y", "z"], { maxReportedInvalid: 1 });
    expect(result).toMatchObject({ written: 0, invalid: 3, invalidLines: [{ line: 1 }], files: [] });
  });

  it("ends a partial last line left by a crashed writer before appending", async () => {
    await writeFile(join(dir, "2026-09-01.log"), `${eventLine("2026-09-01", 1)}\n{"event":"user.lo`);
    await appendEvents(dir, [eventLine("2026-09-01", 2)]);
    const registry = newRegistry();
    const log = new FileAuditLog(dir, { registry });
    const events = await collect(log.streamEvents(EMPTY_CURSOR, { untilCaughtUp: true }));
    expect(events.map(text)).toEqual([1, 2].map((i) => canonical(eventLine("2026-09-01", i))));
    expect(await metricValue(registry, "tenant_events_auditlog_malformed_lines_total")).toBe(1);
  });

  it("gives the same files whatever the batch size", async () => {
    const lines = Array.from({ length: 30 }, (_, i) => eventLine(`2026-09-0${1 + Math.floor(i / 7)}`, i));
    await appendEvents(join(dir, "a"), lines, { batchLines: 1 });
    await appendEvents(join(dir, "b"), lines, { batchLines: 4 });
    await appendEvents(join(dir, "c"), lines);
    const names = (await readdir(join(dir, "a"))).sort();
    expect(names).toHaveLength(5);
    for (const name of names) {
      const a = await readFile(join(dir, "a", name), "utf8");
      expect(await readFile(join(dir, "b", name), "utf8")).toBe(a);
      expect(await readFile(join(dir, "c", name), "utf8")).toBe(a);
    }
  });

  it("refuses options out of range", async () => {
    await expect(appendEvents(dir, [], { batchLines: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(appendEvents(dir, [], { maxReportedInvalid: -1 })).rejects.toThrow(InvalidArgumentError);
  });
});
