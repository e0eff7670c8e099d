/** A complete line of a file, without its "\n"; `end` is the byte offset just after the "\n". */
export interface Line {
  readonly kind: "line";
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** A line longer than the bound: its bytes were dropped as they arrived, only its extent is known. */
export interface OversizedLine {
  readonly kind: "oversized";
  readonly start: number;
  readonly end: number;
}

export type SplitItem = Line | OversizedLine;

const NEWLINE = 0x0a;

/**
 * Splits a byte stream, fed in chunks, into lines with their byte offsets. Memory stays bounded: a line
 * still incomplete is held only up to `maxLineBytes`; beyond that its bytes are dropped and it is
 * reported as oversized once its "\n" arrives.
 */
export class LineSplitter {
  private pieces: Uint8Array[] = [];
  private pendingBytes = 0;
  private discarding = false;
  private lineStart: number;
  private position: number;

  /**
   * @param start byte offset of the first byte that will be pushed; it must be at a line boundary.
   * @param maxLineBytes longest line kept, not counting its "\n".
   */
  constructor(
    start: number,
    private readonly maxLineBytes: number,
  ) {
    this.lineStart = start;
    this.position = start;
  }

  /** Bytes of the line still waiting for its "\n". */
  get pending(): number {
    return this.position - this.lineStart;
  }

  /** Feeds the next bytes; returns the lines they complete, in order. */
  push(chunk: Uint8Array): SplitItem[] {
    const items: SplitItem[] = [];
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, from);
      if (nl < 0) break;
      const end = this.position + nl + 1;
      items.push(this.complete(chunk.subarray(from, nl), end));
      from = nl + 1;
    }
    this.hold(chunk.subarray(from));
    this.position += chunk.length;
    return items;
  }

  /**
   * Ends the input: the bytes after the last "\n" (a finished file whose last line has no "\n") as a
   * final line, or undefined when there are none.
   */
  flush(): SplitItem | undefined {
    if (this.pending === 0) return undefined;
    return this.complete(new Uint8Array(0), this.position);
  }

  private complete(tail: Uint8Array, end: number): SplitItem {
    const start = this.lineStart;
    let item: SplitItem;
    if (this.discarding || this.pendingBytes + tail.length > this.maxLineBytes) {
      item = { kind: "oversized", start, end };
    } else if (this.pieces.length === 0) {
      item = { kind: "line", bytes: tail, start, end };
    } else {
      item = { kind: "line", bytes: Buffer.concat([...this.pieces, tail]), start, end };
    }
    this.pieces = [];
    this.pendingBytes = 0;
    this.discarding = false;
    this.lineStart = end;
    return item;
  }

  private hold(rest: Uint8Array): void {
    if (rest.length === 0 || this.discarding) return;
    if (this.pendingBytes + rest.length > this.maxLineBytes) {
      this.pieces = [];
      this.pendingBytes = 0;
      this.discarding = true;
      return;
    }
    // Copied so a held fragment does not pin the whole chunk it came from.
    this.pieces.push(new Uint8Array(rest));
    this.pendingBytes += rest.length;
  }
}
