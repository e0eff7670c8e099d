import { ResourceExhaustedError } from "../../errors/errors.js";
import type { DynamoMetrics } from "./metrics.js";
import { PageWindow, type WindowPage } from "./page-window.js";
import { ShardReader, type ReadContext } from "./shard-reader.js";
import { positionKey, type ShardPosition } from "./shard-position.js";

export interface ReaderPoolOptions {
  table: string;
  /** Pages each shared reader keeps for subscribers slightly behind it. */
  windowPages: number;
  /** GetRecords loops per shard at most: the shared reader plus streams reading on their own. */
  maxReadersPerShard: number;
  metrics: DynamoMetrics;
}

/** A stream as the pool knows it. */
export interface Subscriber {
  id: number;
  /** The last page read before the stream began: an empty page that old says nothing about its start. */
  joinedAfter: number;
}

type ReaderKind = "shared" | "independent";

interface ShardHub {
  /** The stream and the shard (shard ids are unique within a stream). */
  id: string;
  shard: string;
  /** The shard's shared GetRecords loop, standing at the position after the window's newest page. */
  shared?: ShardReader;
  window: PageWindow;
  /** Streams whose last page came from the shared reader, with the position that page left them at. */
  attached: Map<number, string>;
  /** Streams reading this shard with a reader of their own. */
  independents: number;
  /** Streams holding a lease on the shard. */
  users: number;
  /** The shared reader's GetRecords in progress: others at its position wait for it instead of calling. */
  inFlight?: Promise<WindowPage>;
}

/**
 * The shard readers of one process, shared by every stream on a table. Each shard has at most one shared
 * reader; a stream whose position in the shard is the shared reader's, or lies inside its window of
 * recent pages, takes those pages instead of calling GetRecords itself. A stream outside them moves the
 * shared reader to its own position when no other stream is attached to it, and otherwise reads on its
 * own, as long as the shard has fewer than `maxReadersPerShard` readers (else RESOURCE_EXHAUSTED).
 *
 * Backpressure: the shared reader reads when a stream at its position asks, so it goes at the pace of the
 * fastest stream, and holds at most `windowPages` pages; a slower stream that falls out of the window
 * reads on its own and rejoins once its position is held again (typically at the head of the shard).
 */
export class ReaderPool {
  private readonly hubs = new Map<string, ShardHub>();
  private fetches = 0;
  private readerIds = 0;
  private subscriberIds = 0;

  constructor(readonly options: ReaderPoolOptions) {}

  subscribe(): Subscriber {
    return { id: ++this.subscriberIds, joinedAfter: this.fetches };
  }

  /** A stream starts reading a shard; release the lease once it is done with the shard. */
  lease(subscriber: Subscriber, streamArn: string, shard: string): ShardLease {
    const id = `${streamArn} ${shard}`;
    let hub = this.hubs.get(id);
    if (!hub) {
      hub = {
        id,
        shard,
        window: new PageWindow(this.options.windowPages),
        attached: new Map(),
        independents: 0,
        users: 0,
      };
      this.hubs.set(id, hub);
    }
    hub.users++;
    return new ShardLease(this, hub, subscriber);
  }

  /** @internal */
  nextFetch(): number {
    return ++this.fetches;
  }

  /** @internal */
  newReader(shard: string, position: ShardPosition, kind: ReaderKind): ShardReader {
    this.readerStarted(kind);
    return new ShardReader(++this.readerIds, shard, position);
  }

  /** @internal */
  readerStarted(kind: ReaderKind): void {
    this.options.metrics.shardReaders.inc({ table: this.options.table, kind });
  }

  /** @internal */
  readerDone(kind: ReaderKind): void {
    this.options.metrics.shardReaders.dec({ table: this.options.table, kind });
  }

  /** @internal Changes a window, keeping the held-records gauge true. */
  changeWindow(window: PageWindow, change: (window: PageWindow) => void): void {
    const before = window.recordCount;
    change(window);
    const delta = window.recordCount - before;
    if (delta !== 0) this.options.metrics.windowRecords.inc({ table: this.options.table }, delta);
  }

  /** @internal */
  leaveHub(hub: ShardHub): void {
    if (--hub.users > 0) return;
    if (hub.shared) this.readerDone("shared");
    delete hub.shared;
    this.changeWindow(hub.window, (window) => window.clear());
    if (this.hubs.get(hub.id) === hub) this.hubs.delete(hub.id);
  }
}

/** One stream's reading of one shard through the pool. */
export class ShardLease {
  private own: ShardReader | undefined;
  /** The newest empty page this stream has been given. */
  private seenEmpty = 0;
  private released = false;

  constructor(
    private readonly pool: ReaderPool,
    private readonly hub: ShardHub,
    private readonly subscriber: Subscriber,
  ) {}

  /**
   * The page after `position`: from the shared reader's window, from the shared reader, or from a reader
   * of this stream's own. Errors of the position (see ShardReader) come to the stream that asked.
   *
   * @throws ResourceExhaustedError when this stream would need its own reader on a shard that has as many
   *   readers as allowed
   */
  async read(position: ShardPosition, context: ReadContext): Promise<WindowPage> {
    const hub = this.hub;
    const { metrics, table } = this.pool.options;
    let at = position;
    for (;;) {
      const key = positionKey(at);
      const seen = Math.max(this.subscriber.joinedAfter, this.seenEmpty);
      if (this.own !== undefined) {
        if (at.type !== "LATEST" && positionKey(this.own.position) !== key) {
          this.dropOwn();
          continue;
        }
        // While the shared reader reads, this stream goes on by itself rather than wait for it.
        if (hub.inFlight === undefined) {
          const shared = hub.shared;
          if (shared === undefined || !this.othersAttached()) {
            this.promoteOwn();
            continue;
          }
          if (positionKey(shared.position) === key || hub.window.lookup(key, seen) !== undefined) {
            this.dropOwn();
            continue;
          }
        }
        return this.deliver(await this.readOwn(context));
      }
      const held = hub.window.lookup(key, seen);
      if (held) {
        metrics.sharedPages.inc({ table });
        return this.attach(held);
      }
      if (hub.inFlight) {
        await hub.inFlight.catch(() => undefined);
        continue;
      }
      if (hub.shared && positionKey(hub.shared.position) === key) {
        return this.attach(await this.fetchShared(hub.shared, context));
      }
      // A fresh LATEST start joins a shared reader that has reached the end of the shard.
      if (at.type === "LATEST" && hub.shared && hub.window.atHead()) {
        at = hub.shared.position;
        continue;
      }
      if (!hub.shared || !this.othersAttached()) {
        this.replaceShared(this.pool.newReader(hub.shard, at, "shared"));
        continue;
      }
      const readers = 1 + hub.independents;
      if (readers >= this.pool.options.maxReadersPerShard) {
        throw new ResourceExhaustedError(
          `shard ${hub.shard} of table ${table} already has ${readers} readers (at most ` +
            `${this.pool.options.maxReadersPerShard}; DynamoDB Streams allows about two readers per shard) ` +
            `and this stream's position is not among the pages they hold; resume later with the last cursor received`,
        );
      }
      hub.attached.delete(this.subscriber.id);
      hub.independents++;
      this.own = this.pool.newReader(hub.shard, at, "independent");
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.dropOwn();
    this.hub.attached.delete(this.subscriber.id);
    this.pool.leaveHub(this.hub);
  }

  private deliver(page: WindowPage): WindowPage {
    if (page.records.length === 0) this.seenEmpty = Math.max(this.seenEmpty, page.fetch);
    return page;
  }

  private attach(page: WindowPage): WindowPage {
    this.hub.attached.set(this.subscriber.id, positionKey(page.next));
    return this.deliver(page);
  }

  /**
   * Another stream follows the shared reader: its position is still the reader's or inside the window.
   * A stream that stalled out of the window does not pin the shared reader: it will read on its own anyway.
   */
  private othersAttached(): boolean {
    const shared = this.hub.shared;
    if (shared === undefined) return false;
    const head = positionKey(shared.position);
    for (const [id, key] of this.hub.attached) {
      if (id === this.subscriber.id) continue;
      if (key === head || this.hub.window.lookup(key, Infinity) !== undefined) return true;
    }
    return false;
  }

  /** Nobody else follows the shared reader: this stream's reader becomes it (no new iterator needed). */
  private promoteOwn(): void {
    const own = this.own as ShardReader;
    this.own = undefined;
    this.hub.independents--;
    this.pool.readerDone("independent");
    this.pool.readerStarted("shared");
    this.replaceShared(own);
  }

  private replaceShared(reader: ShardReader): void {
    const hub = this.hub;
    if (hub.shared) this.pool.readerDone("shared");
    hub.shared = reader;
    this.pool.changeWindow(hub.window, (window) => window.clear());
    hub.attached.clear();
  }

  private dropShared(): void {
    const hub = this.hub;
    if (!hub.shared) return;
    this.pool.readerDone("shared");
    delete hub.shared;
    this.pool.changeWindow(hub.window, (window) => window.clear());
    hub.attached.clear();
  }

  private dropOwn(): void {
    if (this.own === undefined) return;
    this.own = undefined;
    this.hub.independents--;
    this.pool.readerDone("independent");
  }

  private async readOwn(context: ReadContext): Promise<WindowPage> {
    const own = this.own as ShardReader;
    try {
      const page = await own.read(context);
      return { ...page, fetch: this.pool.nextFetch() };
    } catch (err) {
      this.dropOwn();
      throw err;
    }
  }

  private async fetchShared(reader: ShardReader, context: ReadContext): Promise<WindowPage> {
    const hub = this.hub;
    const fetching = (async () => {
      try {
        const page = { ...(await reader.read(context)), fetch: this.pool.nextFetch() };
        if (hub.shared === reader) this.pool.changeWindow(hub.window, (window) => window.append(page));
        return page;
      } catch (err) {
        if (hub.shared === reader) this.dropShared();
        throw err;
      }
    })();
    hub.inFlight = fetching;
    try {
      return await fetching;
    } finally {
      if (hub.inFlight === fetching) delete hub.inFlight;
    }
  }
}
