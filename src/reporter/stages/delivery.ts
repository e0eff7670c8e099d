import type { Logger } from "../../observability/logger.js";
import type { Clock } from "../../time/clock.js";
import type { Batch } from "../batcher.js";
import { CheckpointOrder } from "../checkpoint-order.js";
import type { CursorSaver } from "../cursor-saver.js";
import type { ReporterMetrics } from "../reporter-metrics.js";
import type { Backoff } from "../../time/backoff.js";
import { retry } from "../../time/retry.js";
import { isRetryable, submissionRetry } from "../retry-policy.js";
import type { SubmissionHealth } from "../submission-health.js";
import type { Submitter } from "../submitter/submitter.js";
import { refusedBatch } from "./refused-batch.js";

export interface DeliveryOptions {
  submitter: Submitter;
  /** Where acknowledged positions are saved. */
  cursors: CursorSaver;
  retry: Backoff;
  /** Batches with events out at once; reading waits while this many are. */
  maxInFlightBatches: number;
  /** Once stopping, how long delivering the batches in hand may take, ms. */
  shutdownTimeout: number;
  clock: Clock;
  health: SubmissionHealth;
  logger: Logger;
  metrics: Pick<ReporterMetrics, "submitted" | "batches">;
  /** Ends the stream feeding the batches (its source returns). */
  stopStream: () => void;
}

/** What one delivery run did. */
export interface DeliveryResult {
  eventsSubmitted: number;
  batchesSubmitted: number;
  /** Events read but not acknowledged when the shutdown timeout ran out; 0 when it did not. */
  eventsUndelivered: number;
}

/**
 * Submits batches, up to `maxInFlightBatches` at once, and saves a batch's cursor once it and every batch
 * before it are acknowledged, whatever order the acknowledgements come in; an empty batch (an idle
 * checkpoint) is saved at once, or after the batches out before it are all acknowledged and saved. A retryable failure is retried with backoff by the
 * oldest unacknowledged batch (a later one waits for it); a non-retryable one, or a failed save, stops
 * the run: later batches are not submitted and no cursor past the refused batch is saved.
 *
 * `stop()` (shutdown, or the stream failed) starts the shutdown timeout: past it, submissions are
 * cancelled and the run returns with what it could not deliver.
 */
export class Delivery {
  readonly #o: DeliveryOptions;
  /** Stops the submissions: `shutdownTimeout` after stopping began, or at the first failure. */
  readonly #deliveryStop = new AbortController();
  /** The shutdown timeout's reason, told apart from failures. */
  readonly #timeout = new Error("shutdown timeout");
  #cancelShutdownTimer: (() => void) | undefined;
  readonly #order = new CheckpointOrder();
  /** An idle checkpoint that came while batches were out: saved once they are all acknowledged. */
  #idle: string | undefined;
  /** Batches submitted and not acknowledged, by sequence number, oldest first. */
  readonly #unacknowledged = new Map<number, Batch>();
  /** Submissions not settled. */
  readonly #submissions = new Set<Promise<void>>();
  /** Called when a submission settles or the run fails. */
  readonly #listeners = new Set<() => void>();
  /** The first failure: a refusal, the cursor store's, or the shutdown timeout. */
  #failure: { error: unknown } | undefined;
  /** Events of batches that came after the run failed, never submitted. */
  #dropped = 0;
  readonly #result: DeliveryResult = { eventsSubmitted: 0, batchesSubmitted: 0, eventsUndelivered: 0 };

  constructor(options: DeliveryOptions) {
    this.#o = options;
  }

  /**
   * Delivers `batches` to their end, then waits for every submission and save.
   * @param inHand events read and not yet batched, counted as undelivered if the shutdown timeout runs out
   * @throws the first non-retryable DomainError of a refused submission (re-worded, same kind)
   * @throws what the cursor store throws
   * @throws what `batches` throws, once the batches before the failure are delivered
   */
  async run(batches: AsyncIterable<Batch>, inHand: () => number): Promise<DeliveryResult> {
    try {
      const streamFailure = await this.#deliverAll(batches);
      while (this.#submissions.size > 0) await Promise.all(this.#submissions);
      await this.#o.cursors.settled();
      const failure = this.#failure;
      if (failure !== undefined && failure.error !== this.#timeout) throw failure.error;
      if (failure !== undefined) {
        this.#result.eventsUndelivered = this.#undelivered() + inHand();
        this.#o.logger.warn(
          { events: this.#result.eventsUndelivered, shutdownTimeout: this.#o.shutdownTimeout },
          "shutdown timeout: events not acknowledged are left unsaved and will be read again on restart",
        );
      }
      if (streamFailure !== undefined) throw streamFailure.error;
      return this.#result;
    } finally {
      this.#cancelShutdownTimer?.();
    }
  }

  /** Stops the stream and starts the clock on delivering what is in hand. */
  stop(): void {
    this.#o.stopStream();
    this.#cancelShutdownTimer ??= this.#o.clock.alarm(this.#o.shutdownTimeout, () =>
      this.#deliveryStop.abort(this.#timeout),
    );
  }

  /** The stream failed: unless the run already has, what was read is delivered, then the run stops. */
  streamFailed(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#o.logger.error({ err: error }, "event stream failed: delivering what was read, then stopping");
    this.stop();
  }

  /** Takes batches until they end or the run fails; returns the stream's failure, if any. */
  async #deliverAll(batches: AsyncIterable<Batch>): Promise<{ error: unknown } | undefined> {
    const iterator = batches[Symbol.asyncIterator]();
    let ended = false;
    try {
      while (this.#failure === undefined) {
        let next: IteratorResult<Batch>;
        try {
          next = await iterator.next();
        } catch (error) {
          ended = true;
          return { error };
        }
        if (next.done === true) {
          ended = true;
          return undefined;
        }
        await this.#dispatch(next.value);
      }
      return undefined;
    } finally {
      if (!ended) {
        this.#o.stopStream();
        await iterator.return?.();
      }
    }
  }

  /**
   * Starts submitting a batch once fewer than `maxInFlightBatches` are out (backpressure: the stages
   * before wait here). Once the run has failed the batch is not submitted.
   */
  async #dispatch(batch: Batch): Promise<void> {
    if (batch.events.length === 0) {
      if (this.#order.size === 0) this.#save(batch.cursor);
      else this.#idle = batch.cursor;
      return;
    }
    while (this.#order.size >= this.#o.maxInFlightBatches && this.#failure === undefined) {
      await this.#changed();
    }
    if (this.#failure !== undefined) {
      this.#dropped += batch.events.length;
      return;
    }
    this.#idle = undefined;
    const seq = this.#order.open(batch.cursor);
    this.#unacknowledged.set(seq, batch);
    const submission = this.#submit(batch, seq)
      .then(
        () => this.#acknowledged(seq),
        (err: unknown) => this.#fail(err),
      )
      .finally(() => {
        this.#submissions.delete(submission);
        this.#notify();
      });
    this.#submissions.add(submission);
  }

  #acknowledged(seq: number): void {
    this.#unacknowledged.delete(seq);
    this.#save(this.#order.acknowledge(seq));
    if (this.#order.size === 0 && this.#idle !== undefined) {
      this.#save(this.#idle);
      this.#idle = undefined;
    }
  }

  /** Saves a cursor that has become safe, unless the run has failed; a failed save fails the run. */
  #save(safe: string | undefined): void {
    // "": the batches so far came before the stream's first checkpoint, nothing to save yet.
    if (safe === undefined || safe === "" || this.#failure !== undefined) return;
    this.#o.cursors.save(safe).catch((err: unknown) => this.#fail(err));
  }

  /**
   * Submits batch `seq` until acknowledged. Only the oldest unacknowledged batch retries with backoff: a
   * later one that fails retryably waits for the batches before it, then retries, so an outage sees
   * one backing-off sequence of requests, as with a single batch in flight.
   */
  async #submit(batch: Batch, seq: number): Promise<void> {
    const { submitter, health, logger, metrics } = this.#o;
    const n = batch.events.length;
    const attempt = (signal: AbortSignal): Promise<{ accepted: number }> =>
      submitter.submitEvents(batch.events, { signal });
    let accepted: number;
    try {
      ({ accepted } =
        (await this.#attemptBehind(seq, attempt)) ??
        (await retry(attempt, submissionRetry(this.#o.retry), this.#deliveryStop.signal, {
          onFailure: (err, failures, retryIn) => {
            health.failed(err, "SubmitEvents");
            if (retryIn !== undefined) {
              logger.warn(
                { err, events: n, failures, retryInMs: Math.round(retryIn) },
                "batch submission failed: retrying",
              );
            }
          },
          clock: this.#o.clock,
        })));
    } catch (err) {
      if (this.#deliveryStop.signal.aborted) throw err;
      throw refusedBatch(err, n);
    }
    health.succeeded();
    if (accepted !== n) {
      logger.warn({ events: n, accepted }, "tenants service acknowledged a different count");
    }
    this.#result.eventsSubmitted += n;
    this.#result.batchesSubmitted++;
    metrics.submitted.inc(n);
    metrics.batches.inc();
    logger.debug({ events: n, bytes: batch.bytes }, "batch acknowledged");
  }

  /**
   * For a batch behind an unacknowledged one: one attempt; after a retryable failure, waits until the
   * batches before it are acknowledged. Undefined when retries are due (also for the oldest batch).
   * @throws a non-retryable failure; the delivery stop's reason
   */
  async #attemptBehind<T>(seq: number, attempt: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    if (this.#oldest(seq)) return undefined;
    const signal = this.#deliveryStop.signal;
    try {
      return await attempt(signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      this.#o.health.failed(err, "SubmitEvents");
      if (!isRetryable(err)) throw err;
      this.#o.logger.warn(
        { err, events: this.#unacknowledged.get(seq)?.events.length },
        "batch submission failed: retrying once the batches before it are acknowledged",
      );
    }
    while (!this.#oldest(seq)) {
      signal.throwIfAborted();
      await this.#changed();
    }
    return undefined;
  }

  /** Whether every batch submitted before batch `seq` is acknowledged. */
  #oldest(seq: number): boolean {
    return this.#unacknowledged.keys().next().value === seq;
  }

  /** Resolves at the next change: a submission settling, or the run failing. */
  #changed(): Promise<void> {
    return new Promise((resolve) => {
      const onChange = (): void => {
        this.#listeners.delete(onChange);
        resolve();
      };
      this.#listeners.add(onChange);
    });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /** Records the run's first failure, stops the stream and the other submissions. */
  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    this.#o.stopStream();
    if (!this.#deliveryStop.signal.aborted) this.#deliveryStop.abort(error);
    this.#notify();
  }

  #undelivered(): number {
    let events = this.#dropped;
    for (const batch of this.#unacknowledged.values()) events += batch.events.length;
    return events;
  }
}
