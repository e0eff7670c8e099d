import { open, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { AuditLog } from "../audit-log.js";
import { NEVER_ABORTED, type StreamEventsOptions } from "../../cursor/stream-events-options.js";
import { isRefusedLine, lineText, utf8Decoder } from "../input-lines.js";
import type { StreamEvent } from "../../gen/auth/auth.js";
import type { OneOf } from "../../gen/events/events.js";
import { compareSequenceNumbers, shardCursorEncoder, type Cursor } from "../../cursor/cursor.js";
import { DataLossError, InvalidArgumentError, UnavailableError } from "../../errors/errors.js";
import { parseEvent } from "../../events/codec.js";
import { JsonTextError } from "../../events/json-guard.js";
import { ChangeWaiter } from "./change-waiter.js";
import { listDayFiles } from "./day-file-directory.js";
import { isDayFileName } from "./day-file.js";
import { DayFileReader } from "./day-file-reader.js";
import { fileChange, type FileChange, type FileIdentity, type PathState } from "./file-change.js";
import {
  resolveFileAuditLogOptions,
  type FileAuditLogOptions,
  type ResolvedFileAuditLogOptions,
} from "./file-audit-log-options.js";
import { fileAuditLogMetrics, type FileAuditLogMetrics } from "./file-audit-log-metrics.js";
import { errorCode, translateFsError } from "./fs-errors.js";
import type { SplitItem } from "./line-splitter.js";

/** Reading inside a day file, `offset` bytes in (always a line boundary). */
interface InFile {
  readonly file: string;
  readonly offset: number;
}

/** Between files: the next position is the start of the first day file named after `after`. */
interface BetweenFiles {
  readonly after: string | undefined;
}

type Position = InFile | BetweenFiles;

/** The newest day file and its size when an `untilCaughtUp` stream started. */
interface Snapshot {
  readonly newest: string | undefined;
  readonly size: number;
}

/**
 * Teleport's file audit log: a directory of UTC-day files `YYYY-MM-DD.log`, one event JSON per line.
 *
 * A day file is a shard and the sequence number is the byte offset after an event's line. Files in name
 * order are the lineage: only the newest grows, and a file is finished once a later file exists and it
 * has been read to its end, so a cursor names just the file being read. A stream reads one chunk at a
 * time as its consumer pulls, and follows appends and new files (fs.watch, with polling as the fallback).
 */
export class FileAuditLog implements AuditLog {
  private readonly options: ResolvedFileAuditLogOptions;
  private readonly metrics: FileAuditLogMetrics;
  private readonly closing = new AbortController();
  private readonly utf8 = utf8Decoder();

  /** @throws InvalidArgumentError on an option out of range */
  constructor(
    private readonly dir: string,
    options?: FileAuditLogOptions,
  ) {
    this.options = resolveFileAuditLogOptions(options);
    this.metrics = fileAuditLogMetrics(this.options.registry);
  }

  streamEvents(cursor: Cursor, options: StreamEventsOptions = {}): AsyncIterable<StreamEvent> {
    return this.stream(cursor, options.signal ?? NEVER_ABORTED, options.untilCaughtUp ?? false);
  }

  /** Ends every open stream (each returns at its next step) and refuses new ones. */
  close(): Promise<void> {
    this.closing.abort();
    return Promise.resolve();
  }

  private async *stream(
    cursor: Cursor,
    signal: AbortSignal,
    untilCaughtUp: boolean,
  ): AsyncGenerator<StreamEvent, void, undefined> {
    if (this.closing.signal.aborted) throw new UnavailableError("the audit log is closed");
    const stop = AbortSignal.any([signal, this.closing.signal]);
    const files = await listDayFiles(this.dir);
    const snapshot = untilCaughtUp ? await this.snapshot(files) : undefined;
    let position = await this.startPosition(cursor, files);
    if (stop.aborted) return;

    const { watch, pollIntervalMs, logger } = this.options;
    const waiter = untilCaughtUp ? undefined : new ChangeWaiter(this.dir, { watch, pollIntervalMs, logger });
    let reader: DayFileReader | undefined;
    // A consumer may abort and then never pull again, leaving this generator parked at a yield where its
    // finally would never run: release the watcher and file handle from the abort itself then.
    let parked = false;
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      waiter?.close();
      await reader?.close();
    };
    const onAbort = (): void => {
      if (parked) release().catch((err: unknown) => logger.warn({ err }, "closing a day file failed"));
    };
    stop.addEventListener("abort", onAbort, { once: true });
    // Whether a file after the current one exists: then the current one no longer grows.
    let finished = false;
    // The cursor of each event names its day file: its text is built once per file.
    let cursorFile = "";
    let cursorAt = shardCursorEncoder(cursorFile);
    try {
      while (!stop.aborted) {
        if (!("file" in position)) {
          const next = await this.firstFileAfter(position.after);
          if (next !== undefined) {
            position = { file: next, offset: 0 };
          } else if (waiter) {
            await waiter.wait(stop);
          } else {
            return;
          }
          continue;
        }
        if (snapshot && pastSnapshot(snapshot, position)) return;

        if (!reader) {
          reader = await this.openReader(position);
          if (!reader) {
            position = { after: position.file };
            continue;
          }
        }
        const file = position.file;
        let item: SplitItem | undefined;
        try {
          item = reader.take() ?? (await reader.next());
        } catch (err) {
          throw translateFsError(err, `cannot read ${file}`);
        }
        // A replaced file's tail resumes at the new file's start, not at its offset in the old file.
        let replacedTail = false;
        const change = item === undefined ? await this.changeOf(file, reader) : "none";
        if (item !== undefined) {
          position = { file, offset: item.end };
        } else if (change === "replaced" || change === "truncated") {
          // A replaced file is finished: its unterminated last line still counts. A truncated one's
          // unfinished line was cut away with the rest.
          item = change === "replaced" ? reader.flush() : undefined;
          this.fileChanged(file, change, reader.readOffset);
          await reader.close();
          reader = undefined;
          finished = false;
          position = { file, offset: 0 };
          replacedTail = true;
          if (item === undefined) continue;
        } else if (!finished) {
          // Look for a later file first, then read once more: lines appended before it appeared count.
          finished = await this.hasFileAfter(file);
          if (finished) continue;
          if (!waiter) return;
          await waiter.wait(stop);
          continue;
        } else {
          item = reader.flush();
          await reader.close();
          reader = undefined;
          finished = false;
          position = { after: file };
          if (item === undefined) continue;
        }
        const event = this.decode(file, item);
        if (!event || stop.aborted) continue;
        parked = true;
        try {
          if (file !== cursorFile) {
            cursorFile = file;
            cursorAt = shardCursorEncoder(file);
          }
          yield { event, cursor: cursorAt(String(replacedTail ? 0 : item.end)) };
        } finally {
          parked = false;
        }
      }
    } finally {
      stop.removeEventListener("abort", onAbort);
      await release();
    }
  }

  /** Where a stream starts: the cursor's position after validating it, or the configured start. */
  private async startPosition(cursor: Cursor, files: readonly string[]): Promise<Position> {
    if (cursor.size === 0) {
      const oldest = files[0];
      const newest = files.at(-1);
      if (oldest === undefined || newest === undefined) return { after: undefined };
      if (this.options.start === "trim_horizon") return { file: oldest, offset: 0 };
      return { file: newest, offset: await this.lastLineEnd(newest) };
    }
    if (cursor.size > 1) {
      throw new InvalidArgumentError(
        `cursor names ${cursor.size} shards, but a file audit log cursor names one day file — a cursor from another audit log?`,
      );
    }
    const [file, seq] = [...cursor][0] as [string, string];
    if (!isDayFileName(file)) {
      throw new InvalidArgumentError(
        `cursor shard "${truncate(file)}" is not a shard of this audit log (its shards are day files such as 2026-09-01.log) — a cursor from another audit log?`,
      );
    }
    const hasLater = files.some((f) => f > file);
    const probe = await this.probe(file, seq);
    if (probe === undefined) {
      if (!hasLater) {
        throw new InvalidArgumentError(
          `cursor names ${file}, which this audit log does not have, nor any later file — a cursor from another audit log?`,
        );
      }
      // Whatever the file held after the cursor is gone: a gap the client must hear about.
      if (this.options.onTrim === "fail") {
        throw new DataLossError(
          `cursor names ${file}, which no longer exists while later day files do (removed by retention?): ` +
            `the events after the cursor in it are lost; resume with an empty cursor to read what remains`,
        );
      }
      this.missingFile(file, "the cursor's day file no longer exists (removed by retention?)");
      return { after: file };
    }
    if (compareSequenceNumbers(seq, String(probe.size)) > 0) {
      throw new InvalidArgumentError(
        `cursor offset ${truncate(seq)} is beyond the end of ${file} (${probe.size} bytes) — a cursor from another audit log, or a truncated file?`,
      );
    }
    const offset = Number(seq);
    // The end of a finished file is a boundary even when its last line lacks a "\n".
    if (!probe.atLineStart && !(offset === probe.size && hasLater)) {
      throw new InvalidArgumentError(`cursor offset ${offset} is not at the start of a line in ${file}`);
    }
    return { file, offset };
  }

  /** The file's size and whether `seq` (when within it) is at a line start; undefined when it is gone. */
  private async probe(
    file: string,
    seq: string,
  ): Promise<{ size: number; atLineStart: boolean } | undefined> {
    const handle = await this.openFile(file);
    if (!handle) return undefined;
    try {
      const { size } = await handle.stat();
      if (compareSequenceNumbers(seq, String(size)) > 0) return { size, atLineStart: false };
      const offset = Number(seq);
      if (offset === 0) return { size, atLineStart: true };
      const byte = Buffer.alloc(1);
      const { bytesRead } = await handle.read(byte, 0, 1, offset - 1);
      this.metrics.bytesRead.inc(bytesRead);
      return { size, atLineStart: bytesRead === 1 && byte[0] === 0x0a };
    } catch (err) {
      throw translateFsError(err, `cannot read ${file}`);
    } finally {
      await handle.close();
    }
  }

  /**
   * The offset after the last complete line, so a line being written when the stream starts is not
   * lost. The search goes back at most one line bound: a longer unfinished line would be skipped anyway,
   * and starting inside it only turns its tail into one malformed line.
   */
  private async lastLineEnd(file: string): Promise<number> {
    const handle = await this.openFile(file);
    if (!handle) return 0;
    try {
      const { size } = await handle.stat();
      const limit = Math.max(0, size - this.options.maxLineBytes - 1);
      const buffer = Buffer.allocUnsafe(this.options.chunkBytes);
      let end = size;
      while (end > limit) {
        const start = Math.max(limit, end - buffer.length);
        const { bytesRead } = await handle.read(buffer, 0, end - start, start);
        this.metrics.bytesRead.inc(bytesRead);
        const nl = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (nl >= 0) return start + nl + 1;
        end = start;
      }
      return limit === 0 ? 0 : size;
    } catch (err) {
      throw translateFsError(err, `cannot read ${file}`);
    } finally {
      await handle.close();
    }
  }

  private async snapshot(files: readonly string[]): Promise<Snapshot> {
    const newest = files.at(-1);
    if (newest === undefined) return { newest, size: 0 };
    const handle = await this.openFile(newest);
    if (!handle) return { newest, size: 0 };
    try {
      return { newest, size: (await handle.stat()).size };
    } catch (err) {
      throw translateFsError(err, `cannot read ${newest}`);
    } finally {
      await handle.close();
    }
  }

  private async openReader(position: InFile): Promise<DayFileReader | undefined> {
    const handle = await this.openFile(position.file);
    if (!handle) {
      this.missingFile(position.file, "a day file disappeared before it was read (removed by retention?)");
      return undefined;
    }
    let identity: FileIdentity;
    try {
      identity = await handle.stat({ bigint: true });
    } catch (err) {
      await handle.close();
      throw translateFsError(err, `cannot read ${position.file}`);
    }
    const { chunkBytes, maxLineBytes } = this.options;
    const onRead = (bytes: number): void => this.metrics.bytesRead.inc(bytes);
    return new DayFileReader(handle, identity, position.offset, { chunkBytes, maxLineBytes, onRead });
  }

  /** Whether the day file the reader has open was replaced or truncated under it. */
  private async changeOf(file: string, reader: DayFileReader): Promise<FileChange> {
    let path: PathState;
    try {
      path = await stat(join(this.dir, file), { bigint: true });
    } catch (err) {
      if (errorCode(err) !== "ENOENT") throw translateFsError(err, `cannot read ${file}`);
      path = undefined;
    }
    return fileChange(reader.identity, reader.readOffset, path);
  }

  private fileChanged(file: string, change: "replaced" | "truncated", readOffset: number): void {
    this.metrics.fileChanges.inc({ change });
    const why =
      change === "replaced"
        ? "the day file was replaced under the reader (rotated, or deleted and written anew)"
        : "the day file was truncated below the read offset (copytruncate?)";
    this.options.logger.warn({ file, change, readOffset }, `${why}; reading it again from its start`);
  }

  /** Opens a day file for reading; undefined when it does not exist. */
  private async openFile(file: string): Promise<FileHandle | undefined> {
    try {
      return await open(join(this.dir, file), "r");
    } catch (err) {
      if (errorCode(err) === "ENOENT") return undefined;
      throw translateFsError(err, `cannot open ${file}`);
    }
  }

  private async firstFileAfter(after: string | undefined): Promise<string | undefined> {
    const files = await listDayFiles(this.dir);
    return after === undefined ? files[0] : files.find((f) => f > after);
  }

  private async hasFileAfter(file: string): Promise<boolean> {
    return (await listDayFiles(this.dir)).some((f) => f > file);
  }

  /** The event on a line, or undefined for a blank line or a malformed one (logged and counted). */
  private decode(file: string, item: SplitItem): OneOf | undefined {
    const text = lineText(item, this.options.maxLineBytes, this.utf8);
    if (isRefusedLine(text)) {
      this.malformed(file, item, text.refused);
      return undefined;
    }
    if (text.trim() === "") return undefined;
    try {
      return parseEvent(text);
    } catch (err) {
      this.malformed(file, item, contentFreeReason(err));
      return undefined;
    }
  }

  // The line itself is not logged: it may hold user names and addresses.
  private malformed(file: string, item: SplitItem, reason: string): void {
    this.metrics.malformedLines.inc();
    this.options.logger.warn(
      { file, offset: item.start, bytes: item.end - item.start, reason },
      "skipping a malformed audit log line",
    );
  }

  private missingFile(file: string, message: string): void {
    this.metrics.missingFiles.inc();
    this.options.logger.warn({ file }, `${message}; continuing with the next day file, events may be lost`);
  }
}

function pastSnapshot(snapshot: Snapshot, position: InFile): boolean {
  if (snapshot.newest === undefined || position.file > snapshot.newest) return true;
  return position.file === snapshot.newest && position.offset >= snapshot.size;
}

/** Why a line is not an event, in the JSON reader's own words when it failed there (they quote no text). */
function contentFreeReason(err: unknown): string {
  if (err instanceof Error && err.cause instanceof JsonTextError) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
