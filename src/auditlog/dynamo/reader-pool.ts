import { InternalError, ResourceExhaustedError } from "../../errors/errors.js";
import type { DynamoMetrics } from "./metrics.js";
import type { WindowPage } from "./page-window.js";
import { ShardHub } from "./shard-hub.js";
import type { ReadContext, ShardReader } from "./shard-reader.js";
import type { ShardPosition } from "./shard-position.js";
import { routeRead } from "./shard-route.js";

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
 *
 * Each shard's state is a ShardHub; a lease decides each step of a read with routeRead (shard-route.ts)
 * and has the hub carry it out.
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
      const { table, windowPages, maxReadersPerShard, metrics } = this.options;
      const created: ShardHub = new ShardHub({
        table,
        shard,
        windowPages,
        maxReaders: maxReadersPerShard,
        metrics,
        readerId: () => ++this.readerIds,
        nextFetch: () => ++this.fetches,
        onIdle: () => {
          if (this.hubs.get(id) === created) this.hubs.delete(id);
        },
      });
      hub = created;
      this.hubs.set(id, hub);
    }
    hub.join();
    return new ShardLease(hub, subscriber);
  }
}

/** One stream's reading of one shard through the pool. */
export class ShardLease {
  private own: ShardReader | undefined;
  /** The newest empty page this stream has been given. */
  private seenEmpty = 0;
  private released = false;

  constructor(
    private readonly hub: ShardHub,
    private readonly subscriber: Subscriber,
  ) {}

  /**
   * The page after `position`: from the shared reader's window, from the shared reader, or from a reader
   * of this stream's own (see routeRead for which). Errors of the position (see ShardReader) come to the
   * stream that asked.
   *
   * @throws ResourceExhaustedError when this stream would need its own reader on a shard that has as many
   *   readers as allowed
   */
  async read(position: ShardPosition, context: ReadContext): Promise<WindowPage> {
    const hub = this.hub;
    const subscriber = this.subscriber.id;
    let at = position;
    for (;;) {
      const seen = Math.max(this.subscriber.joinedAfter, this.seenEmpty);
      const decision = routeRead(hub.snapshot(at, subscriber, seen, this.own));
      switch (decision.action) {
        case "take-window":
          hub.servedFromWindow(subscriber, decision.page);
          return this.deliver(decision.page);
        case "wait-fetch":
          await hub.fetchSettled();
          break;
        case "fetch-shared":
          return this.attach(await hub.fetchShared(context));
        case "follow-head":
          at = hub.head();
          break;
        case "start-shared":
          hub.startShared(at);
          break;
        case "read-own":
          return this.deliver(await this.readOwn(context));
        case "drop-own":
          this.dropOwn();
          break;
        case "promote-own":
          hub.promote(this.own as ShardReader);
          this.own = undefined;
          break;
        case "start-own":
          this.own = hub.startOwn(subscriber, at);
          break;
        case "refuse":
          throw new ResourceExhaustedError(
            `shard ${hub.shard} of table ${hub.table} already has ${decision.readers} readers (at most ` +
              `${decision.maxReaders}; DynamoDB Streams allows about two readers per shard) ` +
              `and this stream's position is not among the pages they hold; resume later with the last cursor received`,
          );
        default:
          return unrouted(decision);
      }
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.dropOwn();
    this.hub.detach(this.subscriber.id);
    this.hub.leave();
  }

  private deliver(page: WindowPage): WindowPage {
    if (page.records.length === 0) this.seenEmpty = Math.max(this.seenEmpty, page.fetch);
    return page;
  }

  private attach(page: WindowPage): WindowPage {
    this.hub.attach(this.subscriber.id, page);
    return this.deliver(page);
  }

  private dropOwn(): void {
    if (this.own === undefined) return;
    this.own = undefined;
    this.hub.ownDropped();
  }

  private async readOwn(context: ReadContext): Promise<WindowPage> {
    const own = this.own as ShardReader;
    try {
      return this.hub.numbered(await own.read(context));
    } catch (err) {
      this.dropOwn();
      throw err;
    }
  }
}

/** Fails the typecheck when a decision of routeRead has no case in ShardLease.read. */
function unrouted(decision: never): never {
  throw new InternalError(`the reader pool has no action for ${JSON.stringify(decision)}`);
}
