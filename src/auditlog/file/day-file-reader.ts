import type { FileHandle } from "node:fs/promises";
import type { FileIdentity } from "./file-change.js";
import { LineSplitter, type SplitItem } from "./line-splitter.js";

export interface DayFileReaderOptions {
  chunkBytes: number;
  maxLineBytes: number;
  /** Called with the size of every read, for the bytes-read metric. */
  onRead: (bytes: number) => void;
}

/**
 * Reads the lines of one open file from a line boundary, one chunk at a time and only when the lines
 * already read have been taken, so it never runs more than a chunk ahead of its caller. At the current
 * end of the file it reports "no line yet"; asking again later picks up what was appended (tailing).
 */
export class DayFileReader {
  private readonly splitter: LineSplitter;
  private queue: SplitItem[] = [];
  private queueIndex = 0;
  private readPosition: number;

  constructor(
    private readonly handle: FileHandle,
    /** The open file's device and inode, to tell whether its name still points at it. */
    readonly identity: FileIdentity,
    offset: number,
    private readonly options: DayFileReaderOptions,
  ) {
    this.splitter = new LineSplitter(offset, options.maxLineBytes);
    this.readPosition = offset;
  }

  /** How far into the file it has read: the file held at least this many bytes. */
  get readOffset(): number {
    return this.readPosition;
  }

  /** The next line already read, or undefined when the next one needs a read: `next` without an await. */
  take(): SplitItem | undefined {
    return this.queueIndex < this.queue.length ? this.queue[this.queueIndex++] : undefined;
  }

  /** The next complete line, or undefined at the current end of the file. */
  async next(): Promise<SplitItem | undefined> {
    while (this.queueIndex >= this.queue.length) {
      const buffer = Buffer.allocUnsafe(this.options.chunkBytes);
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.readPosition);
      if (bytesRead === 0) return undefined;
      this.readPosition += bytesRead;
      this.options.onRead(bytesRead);
      this.queue = this.splitter.push(buffer.subarray(0, bytesRead));
      this.queueIndex = 0;
    }
    return this.queue[this.queueIndex++];
  }

  /** For a finished file: its last line when that has no "\n". Call only after next() returned undefined. */
  flush(): SplitItem | undefined {
    return this.splitter.flush();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
