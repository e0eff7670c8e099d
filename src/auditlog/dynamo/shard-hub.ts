import type { DynamoMetrics } from "./metrics.js";
import { PageWindow, type WindowPage } from "./page-window.js";
import { ShardReader, type ReadContext, type ReaderPage } from "./shard-reader.js";
import { positionKey, type ShardPosition } from "./shard-position.js";
import type { ReadSnapshot } from "./shard-route.js";

export interface ShardHubOptions {
  table: string;
  shard: string;
  /** Pages the shared reader keeps for streams slightly behind it. */
  windowPages: number;
  /** GetRecords loops on the shard at most: the shared reader plus streams reading on their own. */
  maxReaders: number;
  metrics: DynamoMetrics;
  /** A reader id unique in the process (a LATEST position, once opened, is its reader's alone). */
  readerId(): number;
  /** The next page number of the process (tells a stream which empty pages it has been given). */
  nextFetch(): number;
  /** The last stream has left: the hub is done and holds nothing. */
  onIdle(): void;
}

type ReaderKind = "shared" | "independent";

/**
 * One shard's reading in the process: its shared reader, the window of that reader's recent pages, the
 * streams following it, the count of streams reading on their own, and the shared GetRecords in progress.
 * Every change goes through here, so the shard-readers and window-records gauges always match the state.
 * A stream's own reader is the stream's (see ShardLease); the hub counts it.
 */
export class ShardHub {
  /** The shared GetRecords loop, standing at the position after the window's newest page. */
  private shared: ShardReader | undefined;
  private readonly window: PageWindow;
  /** Streams whose last page came from the shared reader, with the position that page left them at. */
  private readonly attached = new Map<number, string>();
  /** Streams reading the shard with a reader of their own. */
  private independents = 0;
  /** Streams holding a lease on the shard. */
  private users = 0;
  /** The shared reader's GetRecords in progress: others at its position wait for it instead of calling. */
  private inFlight: Promise<WindowPage> | undefined;

  constructor(private readonly options: ShardHubOptions) {
    this.window = new PageWindow(options.windowPages);
  }

  get shard(): string {
    return this.options.shard;
  }

  get table(): string {
    return this.options.table;
  }

  join(): void {
    this.users++;
  }

  /** A stream has released its lease; the last one to go drops the shared reader and its window. */
  leave(): void {
    if (--this.users > 0) return;
    if (this.shared) this.readerDone("shared");
    this.shared = undefined;
    this.changeWindow((window) => window.clear());
    this.options.onIdle();
  }

  /**
   * The shard as a read by `subscriber` at `at` sees it, with `seenFetch` the newest empty page that
   * stream has been given and `own` its own reader, if any. The window lookups run only when read.
   */
  snapshot(
    at: ShardPosition,
    subscriber: number,
    seenFetch: number,
    own: ShardReader | undefined,
  ): ReadSnapshot {
    const key = positionKey(at);
    const shared = this.shared;
    const window = this.window;
    const othersAttached = () => this.othersAttached(subscriber);
    return {
      at: { type: at.type, key },
      ownKey: own === undefined ? undefined : positionKey(own.position),
      sharedKey: shared === undefined ? undefined : positionKey(shared.position),
      fetching: this.inFlight !== undefined,
      get held() {
        return window.lookup(key, seenFetch);
      },
      atHead: this.window.atHead(),
      get othersAttached() {
        return othersAttached();
      },
      readers: (shared === undefined ? 0 : 1) + this.independents,
      maxReaders: this.options.maxReaders,
    };
  }

  /** Where the shared reader stands; only while there is one. */
  head(): ShardPosition {
    return (this.shared as ShardReader).position;
  }

  /** `subscriber` was given a page of the window (not a GetRecords of its own). */
  servedFromWindow(subscriber: number, page: WindowPage): void {
    this.options.metrics.sharedPages.inc({ table: this.options.table });
    this.attach(subscriber, page);
  }

  /** `subscriber`'s last page came from the shared reader. */
  attach(subscriber: number, page: WindowPage): void {
    this.attached.set(subscriber, positionKey(page.next));
  }

  detach(subscriber: number): void {
    this.attached.delete(subscriber);
  }

  /** A new shared reader at `at`, in place of any before it (its window and followers go with it). */
  startShared(at: ShardPosition): void {
    this.replaceShared(this.newReader(at, "shared"));
  }

  /** A stream's own reader becomes the shared one (no new iterator needed). */
  promote(own: ShardReader): void {
    this.independents--;
    this.readerDone("independent");
    this.readerStarted("shared");
    this.replaceShared(own);
  }

  /** A reader of `subscriber`'s own at `at`; the stream no longer follows the shared reader. */
  startOwn(subscriber: number, at: ShardPosition): ShardReader {
    this.attached.delete(subscriber);
    this.independents++;
    return this.newReader(at, "independent");
  }

  /** A stream has given up its own reader. */
  ownDropped(): void {
    this.independents--;
    this.readerDone("independent");
  }

  /** A page just read, numbered in the process's order of reads. */
  numbered(page: ReaderPage): WindowPage {
    return { ...page, fetch: this.options.nextFetch() };
  }

  /**
   * The shared reader's next page, appended to the window while the reader is still the shard's; a
   * failure (trim, gone shard, bad position) drops the reader and its window, and reaches the caller.
   */
  async fetchShared(context: ReadContext): Promise<WindowPage> {
    const reader = this.shared as ShardReader;
    const fetching = (async () => {
      try {
        const page = this.numbered(await reader.read(context));
        if (this.shared === reader) this.changeWindow((window) => window.append(page));
        return page;
      } catch (err) {
        if (this.shared === reader) this.dropShared();
        throw err;
      }
    })();
    this.inFlight = fetching;
    try {
      return await fetching;
    } finally {
      if (this.inFlight === fetching) this.inFlight = undefined;
    }
  }

  /** Settles when the shared GetRecords in progress does (only while one is), whatever its outcome. */
  fetchSettled(): Promise<unknown> {
    return (this.inFlight as Promise<WindowPage>).catch(() => undefined);
  }

  /**
   * Another stream follows the shared reader: its position is still the reader's or inside the window.
   * A stream that stalled out of the window does not pin the shared reader: it will read on its own anyway.
   */
  private othersAttached(subscriber: number): boolean {
    const shared = this.shared;
    if (shared === undefined) return false;
    const head = positionKey(shared.position);
    for (const [id, key] of this.attached) {
      if (id === subscriber) continue;
      if (key === head || this.window.lookup(key, Infinity) !== undefined) return true;
    }
    return false;
  }

  private replaceShared(reader: ShardReader): void {
    if (this.shared) this.readerDone("shared");
    this.shared = reader;
    this.changeWindow((window) => window.clear());
    this.attached.clear();
  }

  private dropShared(): void {
    if (!this.shared) return;
    this.readerDone("shared");
    this.shared = undefined;
    this.changeWindow((window) => window.clear());
    this.attached.clear();
  }

  private newReader(position: ShardPosition, kind: ReaderKind): ShardReader {
    this.readerStarted(kind);
    return new ShardReader(this.options.readerId(), this.options.shard, position);
  }

  private readerStarted(kind: ReaderKind): void {
    this.options.metrics.shardReaders.inc({ table: this.options.table, kind });
  }

  private readerDone(kind: ReaderKind): void {
    this.options.metrics.shardReaders.dec({ table: this.options.table, kind });
  }

  /** Changes the window, keeping the held-records gauge true. */
  private changeWindow(change: (window: PageWindow) => void): void {
    const before = this.window.recordCount;
    change(this.window);
    const delta = this.window.recordCount - before;
    if (delta !== 0) this.options.metrics.windowRecords.inc({ table: this.options.table }, delta);
  }
}
