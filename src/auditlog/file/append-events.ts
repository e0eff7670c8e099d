import { mkdir, open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { InvalidArgumentError } from "../../errors/errors.js";
import { formatEvent, parseEvent } from "../../events/codec.js";
import { JsonTextError } from "../../events/json-guard.js";
import { isJsonObject, parseJson } from "../../events/json.js";
import { silentLogger, type Logger } from "../../observability/logger.js";
import { isRefusedLine, type InputLine } from "../input-lines.js";
import { listDayFiles } from "./day-file-directory.js";
import { dayFileName, utcDayOf } from "./day-file.js";
import { DEFAULT_MAX_LINE_BYTES, positiveInteger } from "./file-audit-log-options.js";
import { translateFsError } from "./fs-errors.js";

export interface AppendEventsOptions {
  /** Lines gathered before they are written, one write per day file per batch. Default 1000. */
  batchLines?: number;
  /** Longest event line written; longer events are reported as invalid, because a reader with the same
   * bound would skip them. Default 16 MiB, the reader's default. */
  maxLineBytes?: number;
  /** How many invalid lines the result describes; all are logged and counted. Default 100. */
  maxReportedInvalid?: number;
  /** Default: silent. */
  logger?: Logger;
}

/** An input line that was not written. */
export interface InvalidLine {
  /** 1-based number of the line in the input. */
  readonly line: number;
  readonly reason: string;
}

export interface AppendEventsResult {
  /** Events written. */
  written: number;
  /** Of those, events whose day is before the newest day file, written to the newest file instead. */
  late: number;
  /** Input lines skipped as invalid (blank lines are not counted). */
  invalid: number;
  /** The first `maxReportedInvalid` of them. */
  invalidLines: InvalidLine[];
  /** Day files written to, in order. */
  files: string[];
}

/**
 * Appends Teleport JSON events (one per input line) to the file audit log in `dir`, in Teleport's layout:
 * each event re-serialized as one line in the file of its UTC day, creating the directory and files as
 * needed. An event whose day is before the newest existing file goes to the newest file instead
 * ("late"): readers may already have finished the older files. Invalid lines, and lines the input
 * reader refused (over the bound, not UTF-8: see inputLines), are logged, reported and skipped. Data is fsynced before this returns. One writer per directory at a time.
 * @throws FailedPreconditionError or ResourceExhaustedError when the directory or files cannot be written
 */
export async function appendEvents(
  dir: string,
  lines: AsyncIterable<InputLine> | Iterable<InputLine>,
  options: AppendEventsOptions = {},
): Promise<AppendEventsResult> {
  const batchLines = options.batchLines ?? 1000;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const maxReportedInvalid = options.maxReportedInvalid ?? 100;
  const logger = options.logger ?? silentLogger;
  positiveInteger("batchLines", batchLines);
  positiveInteger("maxLineBytes", maxLineBytes);
  if (!Number.isSafeInteger(maxReportedInvalid) || maxReportedInvalid < 0) {
    throw new InvalidArgumentError(
      `maxReportedInvalid must be a non-negative integer, got ${maxReportedInvalid}`,
    );
  }

  // Start iterating before the first await: a readline interface drops lines emitted before that.
  const input = Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : lines[Symbol.iterator]();
  let writer: DayFileWriter | undefined;
  const result: AppendEventsResult = { written: 0, late: 0, invalid: 0, invalidLines: [], files: [] };
  let batch: { file: string; line: string }[] = [];
  let lineNumber = 0;
  let done = false;
  try {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw translateFsError(err, `cannot create audit log directory ${dir}`);
    }
    writer = new DayFileWriter(dir, (await listDayFiles(dir)).at(-1));
    for (;;) {
      const next = await input.next();
      if (next.done) {
        done = true;
        break;
      }
      const text = next.value;
      lineNumber++;
      if (!isRefusedLine(text) && text.trim() === "") continue;
      const prepared = isRefusedLine(text) ? { reason: text.refused } : prepareLine(text, maxLineBytes);
      if ("reason" in prepared) {
        result.invalid++;
        if (result.invalidLines.length < maxReportedInvalid) {
          result.invalidLines.push({ line: lineNumber, reason: prepared.reason });
        }
        logger.warn({ line: lineNumber, reason: prepared.reason }, "skipping an invalid event line");
        continue;
      }
      const { file, late } = writer.place(prepared.day);
      if (late) result.late++;
      batch.push({ file, line: prepared.line });
      if (batch.length >= batchLines) {
        await writer.write(batch);
        result.written += batch.length;
        batch = [];
      }
    }
    await writer.write(batch);
    result.written += batch.length;
    await writer.sync();
    result.files = writer.files();
    return result;
  } finally {
    if (!done) {
      try {
        await input.return?.();
      } catch {
        // The error that stopped the ingest is the one to report.
      }
    }
    await writer?.close();
  }
}

/** An input line as it will be stored, with its day; or why it is invalid. */
function prepareLine(text: string, maxLineBytes: number): { line: string; day: string } | { reason: string } {
  let json;
  try {
    json = parseJson(text);
  } catch (err) {
    return { reason: err instanceof JsonTextError ? err.message : "not valid JSON" };
  }
  if (!isJsonObject(json)) return { reason: "not a JSON object" };
  const time = json["time"];
  if (typeof time !== "string") return { reason: 'missing "time"' };
  const day = utcDayOf(time);
  if (day === undefined) return { reason: `"time" is not an RFC 3339 timestamp` };
  let line: string;
  try {
    line = formatEvent(parseEvent(text));
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
  if (line.includes("\n")) return { reason: "the event does not serialize to one line" };
  if (Buffer.byteLength(line, "utf8") > maxLineBytes) return { reason: `longer than ${maxLineBytes} bytes` };
  return { line, day };
}

/**
 * Appends lines to day files, keeping the lineage sound: nothing is written to a file once a later one
 * exists, so a reader that has finished a file never misses a line. Files are written in name order, so
 * one handle is open at a time; a file is fsynced when the writer moves past it.
 */
class DayFileWriter {
  private current: { file: string; handle: FileHandle } | undefined;
  private readonly written: string[] = [];
  private created = false;

  constructor(
    private readonly dir: string,
    private newest: string | undefined,
  ) {}

  /** The file for an event of `day`: its day file, or the newest file when that is later. */
  place(day: string): { file: string; late: boolean } {
    const file = dayFileName(day);
    if (this.newest !== undefined && file < this.newest) return { file: this.newest, late: true };
    this.newest = file;
    return { file, late: false };
  }

  /** Writes a batch with one append per file (a batch's files never decrease, see place). */
  async write(batch: readonly { file: string; line: string }[]): Promise<void> {
    let group: string[] = [];
    let groupFile: string | undefined;
    for (const { file, line } of batch) {
      if (file !== groupFile && groupFile !== undefined) {
        await this.append(groupFile, group);
        group = [];
      }
      groupFile = file;
      group.push(line);
    }
    if (groupFile !== undefined) await this.append(groupFile, group);
  }

  /** fsyncs the file being written, and the directory when files were created (so their names persist). */
  async sync(): Promise<void> {
    if (this.current) await syncFile(this.current.handle, this.current.file);
    if (!this.created) return;
    try {
      const dirHandle = await open(this.dir, "r");
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch (err) {
      throw translateFsError(err, `cannot sync audit log directory ${this.dir}`);
    }
  }

  files(): string[] {
    return [...this.written];
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.handle.close();
  }

  private async append(file: string, lines: readonly string[]): Promise<void> {
    const handle = await this.open(file);
    try {
      await writeAll(handle, Buffer.from(lines.map((l) => `${l}\n`).join(""), "utf8"));
    } catch (err) {
      throw translateFsError(err, `cannot append to ${file}`);
    }
    if (this.written.at(-1) !== file) this.written.push(file);
  }

  private async open(file: string): Promise<FileHandle> {
    if (this.current?.file === file) return this.current.handle;
    if (this.current) {
      await syncFile(this.current.handle, this.current.file);
      await this.close();
    }
    try {
      const handle = await open(join(this.dir, file), "a+");
      this.current = { file, handle };
      const { size } = await handle.stat();
      if (size === 0) {
        this.created = true;
      } else {
        // A crashed writer may have left a partial last line: end it, or the next event would be glued
        // onto it and both lost. The fragment becomes one malformed line that readers skip.
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await writeAll(handle, Buffer.from("\n"));
      }
      return handle;
    } catch (err) {
      throw translateFsError(err, `cannot open ${file} for appending`);
    }
  }
}

async function syncFile(handle: FileHandle, file: string): Promise<void> {
  try {
    await handle.sync();
  } catch (err) {
    throw translateFsError(err, `cannot sync ${file}`);
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
    offset += bytesWritten;
  }
}
