import { open, readFile, rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { decodeCursor } from "../../cursor/cursor.js";
import { InternalError, InvalidArgumentError, isDomainError } from "../../errors/errors.js";
import type { CursorStore } from "./cursor-store.js";

/**
 * A cursor in one file, as its text plus a newline (so `cat` shows it). Saving writes a temporary file
 * beside it, fsyncs it, renames it over the cursor file and fsyncs the directory: rename is atomic, so a
 * crash at any moment leaves the old cursor or the new one, and the directory fsync makes the rename
 * itself durable. One process writes a given cursor file.
 */
export class FileCursorStore implements CursorStore {
  readonly #path: string;
  readonly #temp: string;

  constructor(path: string) {
    this.#path = path;
    // Same directory, so the rename never crosses file systems; a fixed name, so a crash mid-write
    // leaves at most one stray file, overwritten by the next save.
    this.#temp = join(dirname(path), `.${basename(path)}.tmp`);
  }

  /**
   * @throws InvalidArgumentError when the file holds something that is not a cursor
   * @throws InternalError when the file cannot be read
   */
  async load(): Promise<string> {
    let text: string;
    try {
      text = await readFile(this.#path, "utf8");
    } catch (err) {
      if (isErrnoException(err) && err.code === "ENOENT") return "";
      throw new InternalError(`cannot read cursor file ${this.#path}: ${describe(err)}`, { cause: err });
    }
    const cursor = text.endsWith("\n") ? text.slice(0, -1) : text;
    try {
      decodeCursor(cursor);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      throw new InvalidArgumentError(`cursor file ${this.#path} does not hold a cursor: ${err.message}`, {
        cause: err,
      });
    }
    return cursor;
  }

  /** @throws InternalError when the file cannot be written (the previous cursor stays in place) */
  async save(cursor: string): Promise<void> {
    try {
      const file = await open(this.#temp, "w", 0o600);
      try {
        await file.writeFile(`${cursor}\n`, "utf8");
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(this.#temp, this.#path);
      await syncDirectory(dirname(this.#path));
    } catch (err) {
      throw new InternalError(`cannot save cursor file ${this.#path}: ${describe(err)}`, { cause: err });
    }
  }
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && "code" in err;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
