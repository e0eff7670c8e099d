import type { AuditLog } from "../../src/auditlog/audit-log.js";
import { NEVER_ABORTED, type StreamEventsOptions } from "../../src/cursor/stream-events-options.js";
import { compareSequenceNumbers, encodeCursor, type Cursor } from "../../src/cursor/cursor.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import type { StreamEvent } from "../../src/gen/auth/auth.js";
import type { OneOf } from "../../src/gen/events/events.js";
import { eventFromJson } from "../../src/events/codec.js";
import { eventId } from "../../src/events/metadata.js";

interface Entry {
  shard: string;
  seq: string;
  event: OneOf;
}

/** Sequence numbers start above 2^53, as DynamoDB's do, so nothing may treat them as JS numbers. */
const SEQ_BASE = 49_000_000_000_000_000_000n;

/**
 * An in-memory AuditLog: shards of appended events, read in append order across shards. Streams follow
 * new appends until their signal aborts (or end once caught up), and read no further than they are
 * pulled. Counters let tests see how far readers got and whether they were stopped.
 */
export class MemoryAuditLog implements AuditLog {
  /** Events handed out to readers, over all streams. */
  pulled = 0;
  /** Streams being read right now. */
  openStreams = 0;
  /** Streams started, over the log's life. */
  streamsStarted = 0;
  /** The options of the last stream started. */
  lastOptions: StreamEventsOptions | undefined;
  /**
   * With `cursors: "checkpoints"`, a cursor goes on every this-many-th event and on the last one present
   * (a "batch").
   */
  checkpointEvery = 10;

  private readonly shards = new Map<string, bigint>();
  private readonly entries: Entry[] = [];
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;

  constructor(shards: readonly string[] = ["shard-0"]) {
    for (const shard of shards) this.shards.set(shard, 0n);
  }

  /** Appends an event to a shard (created if new); returns its sequence number. */
  append(shard: string, event: OneOf): string {
    const next = (this.shards.get(shard) ?? 0n) + 1n;
    this.shards.set(shard, next);
    const seq = (SEQ_BASE + next).toString();
    this.entries.push({ shard, seq, event });
    this.wake();
    return seq;
  }

  /** Appends `count` events made by `memoryEvent`, numbered on from the log's current size. */
  appendEvents(count: number, shard = "shard-0", padding = 0): void {
    for (let i = 0; i < count; i++) this.append(shard, memoryEvent(this.entries.length, padding));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The next pull, on whichever stream comes first, throws `error`. */
  failNextPull(error: Error): void {
    this.failure = error;
    this.wake();
  }

  async *streamEvents(cursor: Cursor, options: StreamEventsOptions = {}): AsyncIterable<StreamEvent> {
    const signal = options.signal ?? NEVER_ABORTED;
    for (const shard of cursor.keys()) {
      if (!this.shards.has(shard))
        throw new InvalidArgumentError(`cursor names shard "${shard}", which this log does not have`);
    }
    const position = new Map(cursor);
    const end = this.entries.length;
    this.openStreams += 1;
    this.streamsStarted += 1;
    this.lastOptions = options;
    const checkpoints = options.cursors === "checkpoints";
    let sinceCheckpoint = 0;
    try {
      let i = 0;
      for (;;) {
        this.throwInjected();
        if (signal.aborted) return;
        if (options.untilCaughtUp && i >= end) return;
        const entry = this.entries[i];
        if (entry === undefined) {
          await this.appended(signal);
          continue;
        }
        i += 1;
        const at = position.get(entry.shard);
        if (at !== undefined && compareSequenceNumbers(entry.seq, at) <= 0) continue;
        position.set(entry.shard, entry.seq);
        this.pulled += 1;
        sinceCheckpoint += 1;
        const last = i >= (options.untilCaughtUp ? end : this.entries.length);
        if (checkpoints && !last && sinceCheckpoint < this.checkpointEvery) {
          yield { event: entry.event, cursor: "" };
          continue;
        }
        sinceCheckpoint = 0;
        yield { event: entry.event, cursor: encodeCursor(position) };
      }
    } finally {
      this.openStreams -= 1;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private throwInjected(): void {
    const failure = this.failure;
    if (failure === undefined) return;
    this.failure = undefined;
    throw failure;
  }

  private appended(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** A small Teleport event (session.start), `padding` bytes of filler (an extra key) making it as large as needed. */
export function memoryEvent(index: number, padding = 0): OneOf {
  const data: { [key: string]: string } = {
    event: "session.start",
    code: "T2000I",
    uid: `uid-${index}`,
    user: `user-${index % 7}`,
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, index)).toISOString(),
  };
  if (padding > 0) data["filler"] = "x".repeat(padding);
  return eventFromJson(data);
}

/** The uid a `memoryEvent` carries, read back from a streamed event. */
export function memoryEventUid(event: StreamEvent): string {
  const uid = event.event === undefined ? undefined : eventId(event.event);
  if (uid === undefined) throw new Error("expected an event with a uid");
  return uid;
}
