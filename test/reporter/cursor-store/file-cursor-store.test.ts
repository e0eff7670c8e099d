import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeCursor } from "../../../src/cursor/cursor.js";
import { InternalError, InvalidArgumentError } from "../../../src/errors/errors.js";
import { FileCursorStore } from "../../../src/reporter/cursor-store/file-cursor-store.js";
import { savedCursor, savedIndex } from "./saved-cursors.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../../..");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cursor-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cursor =
  '{"shard_id_to_sequence_number":{"shardId-00000001700000000000-0a1b2c3d":"49000000000000000000123456"}}';

describe("FileCursorStore", () => {
  it('loads "" when the file does not exist', async () => {
    expect(await new FileCursorStore(join(dir, "cursor")).load()).toBe("");
  });

  it("loads what it saved, across instances", async () => {
    const path = join(dir, "cursor");
    await new FileCursorStore(path).save(cursor);
    expect(await new FileCursorStore(path).load()).toBe(cursor);
    expect(await readFile(path, "utf8")).toBe(`${cursor}\n`);
  });

  it("replaces the previous cursor and leaves no temporary file", async () => {
    const path = join(dir, "cursor");
    const store = new FileCursorStore(path);
    await store.save(savedCursor(200));
    await store.save(cursor);
    expect(await store.load()).toBe(cursor);
    expect(await readdir(dir)).toEqual(["cursor"]);
  });

  it('saves and loads the empty cursor ""', async () => {
    const store = new FileCursorStore(join(dir, "cursor"));
    await store.save(cursor);
    await store.save("");
    expect(await store.load()).toBe("");
  });

  it("accepts a cursor file written by hand without a trailing newline", async () => {
    const path = join(dir, "cursor");
    await writeFile(path, cursor);
    expect(await new FileCursorStore(path).load()).toBe(cursor);
  });

  it("refuses a file that does not hold a cursor, naming the file", async () => {
    const path = join(dir, "cursor");
    await writeFile(path, "not a cursor\n");
    const load = new FileCursorStore(path).load();
    await expect(load).rejects.toThrow(InvalidArgumentError);
    await expect(new FileCursorStore(path).load()).rejects.toThrow(
      /cursor file .*cursor does not hold a cursor/,
    );
  });

  it("reports an unreadable cursor file as an internal error", async () => {
    const path = join(dir, "cursor");
    await mkdir(path);
    await expect(new FileCursorStore(path).load()).rejects.toThrow(InternalError);
  });

  it("reports a failed save and keeps the previous cursor", async () => {
    const path = join(dir, "cursor");
    const store = new FileCursorStore(path);
    await store.save(cursor);
    await mkdir(join(dir, ".cursor.tmp"));
    await expect(store.save(savedCursor(1))).rejects.toThrow(InternalError);
    expect(await store.load()).toBe(cursor);
  });

  it("is never torn: a saver SIGKILLed at random moments leaves one of the saved cursors", async () => {
    const path = join(dir, "cursor");
    for (let round = 0; round < 12; round++) {
      await killSaverAfter(path, Math.floor(Math.random() * 40));
      const text = await readFile(path, "utf8");
      expect(text.endsWith("\n")).toBe(true);
      const loaded = text.slice(0, -1);
      const index = savedIndex(loaded);
      expect(index).toBeTypeOf("number");
      // A whole cursor decodes to every shard its save wrote.
      expect(decodeCursor(loaded).size).toBe(1 + (((index ?? 0) * 37) % 250));
      expect(await new FileCursorStore(path).load()).toBe(loaded);
    }
  });
});

/** Runs the save loop and SIGKILLs it `delayMs` after its first save. */
async function killSaverAfter(path: string, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", join(here, "save-loop.ts"), path], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolveExit) =>
    child.on("exit", (_code, sig) => resolveExit(sig)),
  );
  await new Promise<void>((ready, fail) => {
    child.stdout.on("data", () => ready());
    child.on("exit", (code) => fail(new Error(`save loop exited early (${code}): ${stderr}`)));
  });
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
}
