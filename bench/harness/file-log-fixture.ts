import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { appendEvents } from "../../src/auditlog/file/append-events.js";
import { generateEvents } from "../../src/generate/index.js";

/** A generated file audit log. */
export interface FileLogFixture {
  readonly dir: string;
  readonly events: number;
  /** Total size of its day files. */
  readonly bytes: number;
}

/** A month in the past, so every generated event passes the reporter's and the service's time bounds. */
export const FIXTURE_MONTH = "2025-03";
export const FIXTURE_USERS = 2000;

/** Generates `events` Teleport events (seeded, so every run reads the same bytes) into a file audit log. */
export async function createFileLog(dir: string, events: number): Promise<FileLogFixture> {
  await appendEvents(
    dir,
    generateEvents({ events, start: FIXTURE_MONTH, months: 1, users: FIXTURE_USERS, seed: 8 }),
    { batchLines: 10_000 },
  );
  let bytes = 0;
  for (const name of await readdir(dir)) bytes += (await stat(join(dir, name))).size;
  return { dir, events, bytes };
}
