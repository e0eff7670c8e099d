import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { defaultStart, run } from "../../src/cli/commands/generate.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { generateEvents } from "../../src/generate/generate-events.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tenant-events-generate-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("generate command", () => {
  it("writes the generated lines to --output and says what it wrote on stderr", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const output = join(dir, "events.jsonl");
      const code = await run({
        events: "250",
        users: 7,
        months: "2",
        seed: "5",
        start: "2026-03",
        clusters: "1",
        output,
      });
      expect(code).toBe(0);
      const text = await readFile(output, "utf8");
      const expected = [
        ...generateEvents({ events: 250, users: 7, months: 2, seed: 5, start: "2026-03", clusters: 1 }),
      ];
      expect(text).toBe(expected.map((line) => `${line}\n`).join(""));
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(
        /^wrote 250 event\(s\) to .*events\.jsonl: 2 month\(s\) from 2026-03/,
      );
    } finally {
      stderr.mockRestore();
    }
  });

  it("applies the defaults for what is not given", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const output = join(dir, "defaults.jsonl");
      expect(await run({ events: 30, start: "2025-01", output })).toBe(0);
      const text = await readFile(output, "utf8");
      const expected = [...generateEvents({ events: 30, start: "2025-01" })];
      expect(text).toBe(expected.map((line) => `${line}\n`).join(""));
    } finally {
      stderr.mockRestore();
    }
  });

  it.each([
    [{ events: undefined }, "--events is required"],
    [{ events: "ten" }, '--events must be a whole number, got "ten"'],
    [{ events: "-5" }, '--events must be a whole number, got "-5"'],
    [{ events: 0 }, "--events must be a whole number from 1"],
    [{ users: "0" }, "--users must be a whole number from 1"],
    [{ months: "121" }, "--months must be a whole number from 1 to 120"],
    [{ seed: "4294967296" }, "--seed must be a whole number from 0 to 4294967295"],
    [{ clusters: "1.5" }, '--clusters must be a whole number, got "1.5"'],
    [{ start: "2026/01" }, "--start must be a month as YYYY-MM"],
  ])("refuses %j with a usage error", async (bad, message) => {
    const output = join(dir, "never.jsonl");
    const attempt = run({ events: 10, start: "2026-01", output, ...bad });
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(run({ events: 10, start: "2026-01", output, ...bad })).rejects.toThrow(message);
    await expect(readFile(output)).rejects.toThrow(/ENOENT/);
  });

  it("fails with the reason when the output cannot be written", async () => {
    await expect(
      run({ events: 10, start: "2026-01", output: join(dir, "missing", "x.jsonl") }),
    ).rejects.toThrow(/cannot write .*x\.jsonl: ENOENT/);
  });
});

describe("defaultStart", () => {
  it.each([
    [12, "2026-05-17T10:00:00Z", "2025-05"],
    [1, "2026-05-01T00:00:00Z", "2026-04"],
    [3, "2026-01-31T23:59:59Z", "2025-10"],
    [120, "2026-05-17T10:00:00Z", "2016-05"],
  ])("%i month(s) before %s start at %s", (months, now, start) => {
    expect(defaultStart(months, new Date(now))).toBe(start);
  });
});
