import type { CursorMode } from "../../cursor/cursor-mode.js";
import type { StartPosition } from "../audit-log.js";
import type { Cursor } from "../../cursor/cursor.js";
import {
  DataLossError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from "../../errors/errors.js";
import type { StreamEvent } from "../../gen/auth/auth.js";
import type { OneOf } from "../../gen/events/events.js";
import type { Logger } from "../../observability/logger.js";
import type { Backoff } from "../../time/backoff.js";
import type { Clock } from "../../time/clock.js";
import { Deadline } from "../../time/deadline.js";
import { CheckpointPolicy } from "./checkpoint-policy.js";
import { CursorPositions, isShardStart } from "./cursor-positions.js";
import type { DynamoMetrics } from "./metrics.js";
import type { WindowPage } from "./page-window.js";
import type { ReaderPool, ShardLease, Subscriber } from "./reader-pool.js";
import { decodeStreamRecord } from "./record-decoder.js";
import { TRIM_HORIZON, planResume } from "./resume-plan.js";
import { ShardGraph, type ShardInfo } from "./shard-graph.js";
import { positionSequenceNumber, type ShardPosition } from "./shard-position.js";
import type { ReadContext } from "./shard-reader.js";
import { ShardSchedule, type ScheduleStep } from "./shard-schedule.js";
import type { StreamRecord, StreamsClient, TableStream } from "./streams-client.js";
import { ExpiredIteratorError, TrimmedDataError } from "./streams-errors.js";
import type { StreamListing, TableListing } from "./table-listing.js";
import { Aborted, throttledCall } from "./throttled-call.js";

/** Everything a stream needs, defaults applied (see DynamoAuditLogOptions). */
export interface SessionConfig {
  table: string;
  client: StreamsClient;
  startPosition: StartPosition;
  onTrim: "fail" | "skip";
  pollIntervalMs: number;
  refreshIntervalMs: number;
  pageSize: number;
  /** GetRecords (with their GetShardIterator) in flight at once across the stream's shards. */
  maxConcurrentReads: number;
  backoff: Backoff;
  clockSkewMs: number;
  clock: Clock;
  random: () => number;
  logger: Logger;
  metrics: DynamoMetrics;
  /** The table's DescribeTable and DescribeStream, shared by the log's streams. */
  listing: TableListing;
}

/** What the caller of one stream chose (see StreamEventsOptions). */
export interface SessionOptions {
  untilCaughtUp: boolean;
  cursors: CursorMode;
}

/**
 * One StreamEvents call on a table: lists the shards, plans where each resumes, then reads the shards the
 * schedule makes due, up to `maxConcurrentReads` at once (each through the process's reader pool, which
 * shares GetRecords between streams at the same position), and yields each page's events as its read
 * completes. A shard has one read at a time and its page is delivered before the next is asked for, so
 * its records stay in order, a child is read only once its parent has been delivered to its end, and what
 * this stream holds is at most one page a shard and `maxConcurrentReads` pages in all; nothing more is
 * read while the consumer has not taken the page being delivered.
 *
 * The cursor names every shard being read, so with "checkpoints" it is sent only at a page's end, once
 * enough events have gone since the last (CHECKPOINT_EVENTS_PER_SHARD per entry) or enough time
 * (CHECKPOINT_INTERVAL_MS; see checkpoint-policy.ts), and whenever the stream catches up (nothing being
 * read and nothing due, before it waits or ends): on the page's last event, or alone when no event ends
 * there. Its cost per event is then bounded whatever the shard count and page sizes, and a client holds
 * back at most that many events.
 */
export async function* streamTable(
  config: SessionConfig,
  pool: ReaderPool,
  cursor: Cursor,
  signal: AbortSignal,
  options: SessionOptions,
): AsyncGenerator<StreamEvent> {
  const session = new StreamSession(config, pool, signal, options);
  try {
    yield* session.run(cursor);
  } catch (err) {
    if (err instanceof Aborted) return;
    throw err;
  } finally {
    session.end();
  }
}

interface ShardCursor {
  lease: ShardLease;
  /** Where the next page of the shard is read. */
  position: ShardPosition;
  /**
   * Records created before this (ms) are passed over. Set on shards started at LATEST: when the LATEST
   * iterator expires before the shard yields anything, reading goes on from TRIM_HORIZON (LATEST again
   * would skip what arrived meanwhile), and a fresh start may join a shared reader at the end of the shard;
   * either way, what surely preceded the start is not delivered.
   */
  skipCreatedBefore?: number;
  /** The shard's read in flight, if any: its lease is released only once it has settled. */
  reading?: Promise<void>;
}

/** A completed read of a shard: its page, or why there is none. */
type Fetched =
  | { shard: string; page: WindowPage; error?: undefined }
  | { shard: string; page?: undefined; error: unknown };

interface Page {
  records: readonly StreamRecord[];
  finished: boolean;
}

class StreamSession {
  private schedule!: ShardSchedule;
  private positions!: CursorPositions;
  private readonly shardCursors = new Map<string, ShardCursor>();
  /** Shards with a read in flight or a page not yet delivered. */
  private readonly busy = new Set<string>();
  /** Reads that have completed and wait to be delivered, in the order they completed. */
  private readonly fetched: Fetched[] = [];
  /** Ends the run loop's wait for a read to complete (or for the signal). */
  private wake: (() => void) | undefined;
  /** The run loop's one alarm while reads are in flight: the next shard due, or the next refresh. */
  private readonly deadline: Deadline;
  private readonly subscriber: Subscriber;
  private context!: ReadContext;
  private streamArn = "";
  private streamStatus: string | undefined;
  private streamCreatedAt: number | undefined;
  private nextRefreshAt = 0;
  private startedAt = 0;
  private reportedActive = 0;
  /** When "checkpoints" mode sends the cursor. */
  private checkpoints!: CheckpointPolicy;

  constructor(
    private readonly config: SessionConfig,
    private readonly pool: ReaderPool,
    private readonly signal: AbortSignal,
    private readonly options: SessionOptions,
  ) {
    this.subscriber = pool.subscribe();
    this.deadline = new Deadline(config.clock);
    signal.addEventListener("abort", () => this.wake?.(), { once: true });
  }

  /**
   * Gives up the stream's shard leases and its share of the active-shards gauge. A lease whose read is
   * still in flight is released when the read settles, so the pool never sees this stream again.
   */
  end(): void {
    for (const state of this.shardCursors.values()) {
      if (state.reading === undefined) state.lease.release();
      else void state.reading.then(() => state.lease.release());
    }
    this.shardCursors.clear();
    this.deadline.clear();
    this.reportActive(0);
  }

  async *run(cursor: Cursor): AsyncGenerator<StreamEvent> {
    const { clock, table } = this.config;
    this.startedAt = clock.now();
    this.checkpoints = new CheckpointPolicy(this.startedAt);
    const tableStream = await this.config.listing.describeTable(this.signal);
    this.streamArn = requireNewImageStream(tableStream);
    this.context = {
      client: this.config.client,
      streamArn: this.streamArn,
      table,
      pageSize: this.config.pageSize,
      metrics: this.config.metrics,
      call: (operation, request) => this.call(operation, request),
    };
    // Any listing as recent as a periodic refresh would take (a resume then costs its reads alone), unless
    // the cursor names a shard it does not show: a newer one may.
    const notBefore = clock.now() - this.config.refreshIntervalMs;
    let graph = new ShardGraph(await this.listShards((shown) => shown.startedAt > notBefore));
    if (![...cursor.keys()].every((shard) => graph.has(shard))) {
      const startedAt = this.startedAt;
      graph = new ShardGraph(await this.listShards((shown) => shown.startedAt >= startedAt));
    }
    const plan = planResume({
      cursor,
      graph,
      startPosition: this.config.startPosition,
      streamCreatedAt: this.streamCreatedAt,
      table,
    });
    for (const gap of plan.trimmed) this.trimmed(gap.shardId, gap.sequenceNumber);
    this.positions = new CursorPositions(plan.positions);
    this.schedule = new ShardSchedule(graph, plan, this.options.untilCaughtUp, this.startedAt);
    this.nextRefreshAt = clock.now() + this.config.refreshIntervalMs;

    for (;;) {
      this.checkAborted();
      if (clock.now() >= this.nextRefreshAt) await this.refreshPeriodically();
      this.reportActive(this.schedule.readableCount());
      const step = this.startReads();
      const done = this.fetched.shift();
      if (done !== undefined) {
        this.busy.delete(done.shard);
        const page = this.settle(done);
        if (page !== undefined) yield* this.deliverPage(done.shard, page);
        continue;
      }
      if (this.busy.size > 0) {
        // Until a read completes or, while a slot is free, another shard falls due.
        const due = step.kind === "wait" && step.until !== undefined ? step.until : Infinity;
        await this.readCompleted(Math.min(due, this.nextRefreshAt));
        continue;
      }
      // Nothing is being read, so `step` (a wait, or done) speaks of every shard.
      yield* this.checkpointBeforeIdle();
      if (step.kind === "done") return;
      if (step.kind === "wait") {
        if (
          step.until === undefined &&
          (this.streamStatus === "DISABLED" || this.streamStatus === "DISABLING")
        ) {
          throw new FailedPreconditionError(`the stream of table ${table} has been disabled`);
        }
        await clock.sleep(Math.min(step.until ?? Infinity, this.nextRefreshAt) - clock.now(), this.signal);
      }
    }
  }

  /**
   * Starts reads of the shards that are due, while fewer than `maxConcurrentReads` are busy; returns the
   * schedule's step for the shards not being read: a wait, done, or the read no slot was left for.
   */
  private startReads(): ScheduleStep {
    const now = this.config.clock.now();
    for (;;) {
      const step = this.schedule.next(now, this.busy);
      if (step.kind !== "read" || this.busy.size >= this.config.maxConcurrentReads) return step;
      this.startRead(step.shard);
    }
  }

  private startRead(shard: string): void {
    const state = this.shardCursor(shard);
    this.busy.add(shard);
    const reading = state.lease.read(state.position, this.context).then(
      (page) => this.completed({ shard, page }),
      (error: unknown) => this.completed({ shard, error }),
    );
    state.reading = reading;
    void reading.then(() => {
      if (state.reading === reading) delete state.reading;
    });
  }

  private completed(fetched: Fetched): void {
    this.fetched.push(fetched);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves when a read completes, at `until` (clock ms), or when the stream's signal aborts. */
  private async readCompleted(until: number): Promise<void> {
    if (this.signal.aborted) return;
    const completed = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    await this.deadline.race(completed, Number.isFinite(until) ? until : undefined);
  }

  /** Yields the events of a shard's page, with cursors as `options.cursors` asks. */
  private async *deliverPage(shard: string, page: Page): AsyncGenerator<StreamEvent> {
    if (this.options.cursors === "every-event") {
      for await (const event of this.pageEvents(shard, page)) {
        yield { event, cursor: this.positions.encode() };
      }
      return;
    }
    // One event is held back so that the page's last can carry the cursor.
    let held: OneOf | undefined;
    for await (const event of this.pageEvents(shard, page)) {
      if (held !== undefined) yield { event: held, cursor: "" };
      held = event;
      this.checkpoints.delivered();
    }
    const due = this.checkpoints.dueAtPageEnd(this.positions.size, this.config.clock.now());
    const checkpoint = due ? this.checkpoint() : undefined;
    if (held !== undefined) yield { event: held, cursor: checkpoint ?? "" };
    else if (checkpoint !== undefined) yield { event: undefined, cursor: checkpoint };
  }

  /**
   * The cursor to send as a checkpoint now, or undefined when the position has not moved since the last
   * one (or is empty: "" would mean the configured start position, which is not where this stream is).
   */
  private checkpoint(): string | undefined {
    const version = this.positions.version;
    if (!this.checkpoints.moved(version)) return undefined;
    const cursor = this.positions.encode();
    if (cursor === "") return undefined;
    this.checkpoints.sent(version, this.config.clock.now());
    return cursor;
  }

  /** In "checkpoints" mode, the checkpoint owed before the stream waits or ends. */
  private *checkpointBeforeIdle(): Generator<StreamEvent> {
    if (this.options.cursors !== "checkpoints") return;
    const cursor = this.checkpoint();
    if (cursor !== undefined) yield { event: undefined, cursor };
  }

  /** Yields the events of a shard's page; `this.positions` is just after each when it is yielded. */
  private async *pageEvents(shard: string, page: Page): AsyncGenerator<OneOf> {
    const { clock, metrics, table } = this.config;
    const skipCreatedBefore = this.shardCursors.get(shard)?.skipCreatedBefore;
    // A close is when children appear: list them first, so the last record's cursor can already name them.
    if (page.finished) await this.refreshAfterEnd(shard);
    let reachedLaterRecords = false;
    const records = page.records;
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as StreamRecord;
      this.positions.deliver(shard, record.sequenceNumber);
      if (page.finished && i === records.length - 1) this.finish(shard);
      const created = record.approximateCreationTime;
      if (created !== undefined && created > this.startedAt + this.config.clockSkewMs)
        reachedLaterRecords = true;
      const beforeStart =
        skipCreatedBefore !== undefined && created !== undefined && created < skipCreatedBefore;
      const decoded = beforeStart ? { kind: "skip" as const } : decodeStreamRecord(record);
      if (decoded.kind === "event") {
        metrics.records.inc({ table, outcome: "event" });
        yield decoded.event;
      } else if (decoded.kind === "skip") {
        metrics.records.inc({ table, outcome: "skipped" });
      } else {
        metrics.records.inc({ table, outcome: "invalid" });
        this.config.logger.warn(
          { table, shard, sequenceNumber: record.sequenceNumber, reason: decoded.reason },
          "stream record is not a readable audit event; passed over",
        );
      }
    }
    if (page.finished) {
      if (records.length === 0) this.finish(shard);
      return;
    }
    const open = this.schedule.graph.get(shard)?.closed !== true;
    const pause = records.length === 0 && open ? this.config.pollIntervalMs : 0;
    this.schedule.served(shard, clock.now() + pause);
    if (
      this.options.untilCaughtUp &&
      this.schedule.wasOpenAtStart(shard) &&
      (records.length === 0 || reachedLaterRecords)
    ) {
      this.schedule.catchUp(shard);
    }
  }

  /**
   * What a completed read means for its shard: the page to deliver, or undefined when the shard is to be
   * read again (its iterator expired, or its position was trimmed and skipped: it restarts at
   * TRIM_HORIZON).
   */
  private settle(fetched: Fetched): Page | undefined {
    const { shard, error } = fetched;
    const state = this.shardCursor(shard);
    if (fetched.page !== undefined) {
      state.position = fetched.page.next;
      return fetched.page;
    }
    const position = state.position;
    if (error instanceof ExpiredIteratorError) {
      this.restartAtTrimHorizon(shard, state);
      return undefined;
    }
    if (error instanceof TrimmedDataError) {
      this.trimmed(shard, positionSequenceNumber(position));
      this.restartAtTrimHorizon(shard, state);
      return undefined;
    }
    if (error instanceof NotFoundError) return this.shardGone(shard);
    const sequenceNumber = positionSequenceNumber(position);
    if (error instanceof InvalidArgumentError && sequenceNumber !== undefined) {
      throw new InvalidArgumentError(
        `sequence number ${sequenceNumber} is not a position in shard ${shard} of table ${this.config.table}`,
        { cause: error },
      );
    }
    throw error;
  }

  private shardCursor(shard: string): ShardCursor {
    let state = this.shardCursors.get(shard);
    if (!state) {
      const position = this.schedule.start(shard);
      state = { lease: this.pool.lease(this.subscriber, this.streamArn, shard), position };
      // Creation times are rounded down to the second; only records surely older than the start go.
      if (position.type === "LATEST") {
        state.skipCreatedBefore = this.startedAt - this.config.clockSkewMs - 1000;
      }
      this.shardCursors.set(shard, state);
    }
    return state;
  }

  private restartAtTrimHorizon(shard: string, state: ShardCursor): void {
    state.position = TRIM_HORIZON;
    this.schedule.restart(shard, TRIM_HORIZON);
  }

  /** The shard left the stream before it was read to its end: what it still held has aged out. */
  private shardGone(shard: string): Page {
    const entry = this.positions.get(shard);
    if (entry !== undefined) this.trimmed(shard, entry);
    else
      this.config.logger.debug(
        { table: this.config.table, shard },
        "shard left the stream before it was read",
      );
    this.finish(shard);
    return { records: [], finished: true };
  }

  /** A position has been trimmed: DATA_LOSS, or (onTrim "skip") a logged, counted gap. */
  private trimmed(shard: string, sequenceNumber: string | undefined): void {
    const { table } = this.config;
    const where =
      sequenceNumber === undefined || isShardStart(sequenceNumber)
        ? "the start of shard"
        : `sequence number ${sequenceNumber} in shard`;
    if (this.config.onTrim === "fail") {
      throw new DataLossError(
        `the events after ${where} ${shard} of table ${table} have been trimmed ` +
          `(DynamoDB Streams keeps records for 24 hours); resume with an empty cursor to read what remains`,
      );
    }
    this.config.metrics.dataLossGaps.inc({ table });
    this.config.logger.warn(
      { table, shard, sequenceNumber },
      "trimmed stream position skipped: events were lost; continuing from TRIM_HORIZON",
    );
  }

  private finish(shard: string): void {
    this.schedule.finish(shard);
    this.shardCursors.get(shard)?.lease.release();
    this.shardCursors.delete(shard);
    this.positions.settle(this.schedule.graph, (id) => this.schedule.isFinished(id));
  }

  /** The listing every `refreshIntervalMs`: one another stream made within that time will do. */
  private async refreshPeriodically(): Promise<void> {
    const { clock, refreshIntervalMs } = this.config;
    const notBefore = clock.now() - refreshIntervalMs;
    await this.refresh((shown) => shown.startedAt > notBefore);
  }

  /** A listing that shows `shard` closed (so its children are listed), or left; else one new listing. */
  private async refreshAfterEnd(shard: string): Promise<void> {
    await this.refresh((shown) => {
      const info = shown.shards.find((listed) => listed.id === shard);
      return info === undefined || info.closed;
    });
  }

  private async refresh(accept: (listing: StreamListing) => boolean): Promise<void> {
    const listing = await this.listShards(accept);
    this.schedule.refresh(listing, (id) => this.positions.has(id));
    this.positions.settle(this.schedule.graph, (id) => this.schedule.isFinished(id));
    this.nextRefreshAt = this.config.clock.now() + this.config.refreshIntervalMs;
  }

  /** The shards of a shared listing that `accept` takes, and the stream's status and creation time. */
  private async listShards(accept: (listing: StreamListing) => boolean): Promise<readonly ShardInfo[]> {
    const listing = await this.config.listing.get(this.streamArn, accept, this.signal);
    this.streamStatus = listing.status;
    if (listing.createdAt !== undefined) this.streamCreatedAt = listing.createdAt;
    return listing.shards;
  }

  /** Runs a request for this stream, retrying as throttledCall does. */
  private call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    return throttledCall(this.config, this.signal, operation, request);
  }

  private checkAborted(): void {
    if (this.signal.aborted) throw new Aborted();
  }

  private reportActive(count: number): void {
    if (count === this.reportedActive) return;
    this.config.metrics.shardsActive.inc({ table: this.config.table }, count - this.reportedActive);
    this.reportedActive = count;
  }
}

/** The stream to read, or why there is none. */
export function requireNewImageStream(stream: TableStream): string {
  if (!stream.streamEnabled || stream.streamArn === undefined) {
    throw new FailedPreconditionError(
      `DynamoDB Streams is not enabled on table ${stream.table}: enable it with view type NEW_IMAGE`,
    );
  }
  if (stream.viewType !== "NEW_IMAGE" && stream.viewType !== "NEW_AND_OLD_IMAGES") {
    throw new FailedPreconditionError(
      `the stream of table ${stream.table} has view type ${stream.viewType ?? "unknown"}: ` +
        `audit events need NEW_IMAGE (or NEW_AND_OLD_IMAGES)`,
    );
  }
  return stream.streamArn;
}
