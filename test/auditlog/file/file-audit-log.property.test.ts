import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appendEvents } from "../../../src/auditlog/file/append-events.js";
import { FileAuditLog } from "../../../src/auditlog/file/file-audit-log.js";
import { EMPTY_CURSOR, decodeCursor } from "../../../src/cursor/cursor.js";
import type { StreamEvent } from "../../../src/gen/auth/auth.js";
import { canonical, collect, eventLine, tempDir, text } from "./helpers.js";

const DAYS = ["2026-08-31", "2026-09-01", "2026-09-02", "2026-09-15"];

function caughtUp(log: FileAuditLog, cursor: string): Promise<StreamEvent[]> {
  return collect(log.streamEvents(decodeCursor(cursor), { untilCaughtUp: true }));
}

/** Streams everything, then checks that resuming from every cursor yields exactly the remainder. */
async function checkResume(dir: string, expected: readonly string[], chunkBytes: number): Promise<void> {
  const log = new FileAuditLog(dir, { chunkBytes });
  try {
    const all = await caughtUp(log, "");
    expect(all.map(text)).toEqual(expected);
    for (const [i, event] of all.entries()) {
      expect((await caughtUp(log, event.cursor)).map(text)).toEqual(expected.slice(i + 1));
    }
  } finally {
    await log.close();
  }
}

describe("FileAuditLog resume property", () => {
  it("after ingesting random events across day files, every cursor resumes with exactly the rest", async () => {
    const events = fc.array(fc.constantFrom(...DAYS), { maxLength: 25 });
    await fc.assert(
      fc.asyncProperty(
        events,
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 8, max: 300 }),
        async (days, batchLines, chunkBytes) => {
          const { dir, cleanup } = await tempDir();
          try {
            const lines = days.map((day, i) => eventLine(day, i));
            const result = await appendEvents(dir, lines, { batchLines });
            expect(result.written).toBe(lines.length);
            // Late events go to the newest file, so the log keeps the input order.
            await checkResume(dir, lines.map(canonical), chunkBytes);
          } finally {
            await cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("holds with malformed and blank lines and finished files without a final newline", async () => {
    const entry = fc.oneof(
      { weight: 4, arbitrary: fc.constant("event" as const) },
      fc.constantFrom("{broken", "", "   ", "[]", "null"),
    );
    const file = fc.record({ entries: fc.array(entry, { maxLength: 8 }), endsWithNewline: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(
        fc.array(file, { minLength: 1, maxLength: DAYS.length }),
        fc.integer({ min: 8, max: 300 }),
        async (files, chunkBytes) => {
          const { dir, cleanup } = await tempDir();
          try {
            const expected: string[] = [];
            let n = 0;
            for (const [f, { entries, endsWithNewline }] of files.entries()) {
              const day = DAYS[f] ?? "";
              const lines = entries.map((e) => {
                if (e !== "event") return e;
                const line = eventLine(day, n++);
                expected.push(canonical(line));
                return line;
              });
              // Only a finished file (one with a later file) may end without a newline and still be read.
              const newest = f === files.length - 1;
              const body = lines.join("\n") + (endsWithNewline || newest || lines.length === 0 ? "\n" : "");
              await writeFile(join(dir, `${day}.log`), lines.length === 0 ? "" : body);
            }
            await checkResume(dir, expected, chunkBytes);
          } finally {
            await cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("an empty cursor and the cursor before the first event agree", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await appendEvents(dir, [eventLine("2026-09-01", 0)]);
      const log = new FileAuditLog(dir);
      const fromStart = await caughtUp(
        log,
        JSON.stringify({ shard_id_to_sequence_number: { "2026-09-01.log": "0" } }),
      );
      expect(fromStart).toEqual(await collect(log.streamEvents(EMPTY_CURSOR, { untilCaughtUp: true })));
      await log.close();
    } finally {
      await cleanup();
    }
  });
});
