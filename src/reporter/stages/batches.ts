import { InvalidArgumentError } from "../../errors/errors.js";
import type { Clock } from "../../time/clock.js";
import { DEADLINE_PASSED, Deadline } from "../../time/deadline.js";
import { Batcher, type Batch, type BatchLimits } from "../batcher.js";
import type { Consumed } from "./activities.js";
import type { OnRefused } from "./refusals.js";

export interface BatchStageOptions {
  limits: BatchLimits;
  /** Longest an event waits in an open batch, ms. */
  batchInterval: number;
  /** With no batch open, the position goes out after this many filtered-out events in a row... */
  idleCheckpointEvents: number;
  /** ... or once this long has passed since the last batch went out, ms. */
  idleCheckpointInterval: number;
  clock: Clock;
  onRefused: OnRefused;
}

/**
 * Groups activity events into batches by count, encoded size and age (on the clock given). With no batch
 * open, the position goes out as an empty batch (an idle checkpoint) after a run of filtered-out events
 * or some time, so a restart does not re-read them all. When the stream ends, the open batch (or else
 * the position) goes out; when it fails, the same, then the failure.
 */
export class BatchStage {
  readonly #o: BatchStageOptions;
  readonly #batcher: Batcher;
  /** The cursor of the last batch that went out, and when it went. */
  #emitted: string;
  #emittedAt: number;
  /** Filtered-out events since the last batch went out. */
  #filtered = 0;

  /** @param position the cursor the stream starts from */
  constructor(options: BatchStageOptions, position: string) {
    this.#o = options;
    this.#batcher = new Batcher(options.limits, position);
    this.#emitted = position;
    this.#emittedAt = options.clock.now();
  }

  /** Events in the open batch. */
  get pendingEvents(): number {
    return this.#batcher.pendingEvents;
  }

  /**
   * The batches of `input`, pulled only as fast as they are taken. Stopping early (`return`) leaves the
   * open batch unsent and waits for the pending read of `input`, which the caller ends by stopping the
   * stream first.
   */
  async *batches(input: AsyncIterable<Consumed>): AsyncGenerator<Batch> {
    const iterator = input[Symbol.asyncIterator]();
    const deadline = new Deadline(this.#o.clock);
    let next: Promise<IteratorResult<Consumed>> | undefined;
    let ended = false;
    let failure: { error: unknown } | undefined;
    try {
      for (;;) {
        next ??= iterator.next();
        let step: IteratorResult<Consumed> | typeof DEADLINE_PASSED;
        try {
          step = await deadline.race(next, this.#deadline());
        } catch (error) {
          next = undefined;
          failure = { error };
          break;
        }
        if (step === DEADLINE_PASSED) {
          const due = this.#batcher.flush() ?? this.#idleCheckpoint();
          if (due !== undefined) yield this.#emit(due);
          continue;
        }
        next = undefined;
        if (step.done === true) break;
        yield* this.#consume(step.value);
      }
      ended = true;
      const last = this.#batcher.flush() ?? this.#idleCheckpoint();
      if (last !== undefined) yield this.#emit(last);
    } finally {
      deadline.clear();
      if (!ended) {
        if (next !== undefined) await next.catch(() => undefined);
        await iterator.return?.();
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  *#consume(item: Consumed): Generator<Batch> {
    const batcher = this.#batcher;
    if (item.kind === "checkpoint") {
      batcher.skip(item.cursor);
      return;
    }
    if (item.kind === "filtered") {
      batcher.skip(item.cursor);
      this.#filtered++;
      const idle = this.#filtered >= this.#o.idleCheckpointEvents ? this.#idleCheckpoint() : undefined;
      if (idle !== undefined) yield this.#emit(idle);
      return;
    }
    let closed: Batch[];
    try {
      closed = batcher.add(item.event, item.cursor, this.#o.clock.now());
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      this.#o.onRefused(err, "oversize");
      batcher.skip(item.cursor);
      return;
    }
    for (const batch of closed) yield this.#emit(batch);
  }

  /** When to act without a new item: the open batch's age limit, or an idle checkpoint. */
  #deadline(): number | undefined {
    const openedAt = this.#batcher.openedAt;
    if (openedAt !== undefined) return openedAt + this.#o.batchInterval;
    if (this.#batcher.position !== this.#emitted) return this.#emittedAt + this.#o.idleCheckpointInterval;
    return undefined;
  }

  /** The position as an empty batch, when no batch is open and the position moved since the last. */
  #idleCheckpoint(): Batch | undefined {
    const position = this.#batcher.position;
    if (this.#batcher.pendingEvents > 0 || position === this.#emitted) return undefined;
    return { events: [], bytes: 0, cursor: position };
  }

  #emit(batch: Batch): Batch {
    this.#emitted = batch.cursor;
    this.#emittedAt = this.#o.clock.now();
    this.#filtered = 0;
    return batch;
  }
}
