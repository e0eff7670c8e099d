import { MAX_REQUEST_BYTES } from "../activity/batch-limits.js";
import { InternalError, InvalidArgumentError, isDomainError, type DomainError } from "../errors/errors.js";
import type { StreamEvent } from "../gen/auth/auth.js";
import type { OneOf } from "../gen/events/events.js";
import type { Event } from "../gen/tenants/tenants.js";
import { silentLogger, type Logger } from "../observability/logger.js";
import { newRegistry, type Registry } from "../observability/metrics.js";
import { buildActivityEvent, RefusedActivityEventError } from "./activity-builder.js";
import type { Anonymizer } from "./anonymizer/anonymizer.js";
import { MemoAnonymizer } from "./anonymizer/memo-anonymizer.js";
import { Batcher, type Batch } from "./batcher.js";
import { CheckpointOrder } from "./checkpoint-order.js";
import { StreamLag } from "./stream-lag.js";
import { CursorSaver } from "./cursor-saver.js";
import type { CursorStore } from "./cursor-store/cursor-store.js";
import type { EventSource } from "./event-source.js";
import { reporterMetrics, type ReporterMetrics } from "./reporter-metrics.js";
import { RETRY_DEFAULTS, isRetryable, retry, type RetryOptions } from "./retry-policy.js";
import { SubmissionHealth } from "./submission-health.js";
import type { Submitter } from "./submitter/submitter.js";
import { UsageReporter } from "./usage/usage-reporter.js";
import type { UsageSource } from "./usage/usage-source.js";
import { eventTime } from "../events/metadata.js";

export interface ReporterOptions {
  source: EventSource;
  submitter: Submitter;
  cursorStore: CursorStore;
  /** Its tokens for the last 10 000 distinct inputs are remembered (MemoAnonymizer). */
  anonymizer: Anonymizer;
  /** Default silentLogger. */
  logger?: Logger;
  /** Where the reporter's metrics are declared. Default: a registry of its own (unexposed). */
  registry?: Registry;
  /** Most events in one SubmitEvents request. Default 500. */
  batchSize?: number;
  /** A batch closes before an event would take its encoded request past this. Default 1 MiB. */
  batchBytes?: number;
  /**
   * Largest request the tenants service accepts (gRPC's default receive limit). An event bigger than
   * `batchBytes` goes alone in its own batch; one that alone exceeds this is logged, counted
   * (`tenant_events_reporter_events_rejected_total{reason="oversize"}`) and skipped, never left to
   * stall the stream. Default 4 MiB.
   */
  maxMessageBytes?: number;
  /** Longest an event waits in an open batch, ms. Default 5 000. */
  batchInterval?: number;
  /**
   * Batches submitted at once: reading and filling the next batch go on during their round trips, and
   * stop while this many are out (1: one submission at a time, overlapped with reading). Whatever order
   * the acknowledgements come in, the cursor saved is always that of a batch whose predecessors are all
   * acknowledged; acknowledgements that arrive during a save are saved together by the next one. Default
   * 2.
   */
  maxInFlightBatches?: number;
  /**
   * With no batch open, the cursor is saved after this many consecutive filtered-out events, so a
   * restart does not re-read them all. Default 10 000.
   */
  idleCheckpointEvents?: number;
  /** ... or once this long has passed since the last save, ms. Default 60 000. */
  idleCheckpointInterval?: number;
  /** Stop once caught up with the audit log (a one-shot run). Default false: follow it. */
  untilCaughtUp?: boolean;
  /** Backoff between retries of a failed submission; see RETRY_DEFAULTS. */
  retry?: RetryOptions;
  /** Consecutive failed submissions after which an error is logged (and every multiple). Default 5. */
  unhealthyAfter?: number;
  /**
   * Once stopping (abort) or after the stream failed, how long delivering the batches in hand (those in
   * flight and the open one) may take, ms. Past it the reporter returns without saving further: events
   * not acknowledged are read again on restart. Default 10 000.
   */
  shutdownTimeout?: number;
  /**
   * Wall clock, epoch ms. An event is checked against the tenants service's rules before it is batched
   * (src/activity/event-rules.ts), the time window's future bound being this clock plus 15 minutes at
   * that moment; one the service would refuse is logged with its id and problems, counted
   * (`tenant_events_reporter_events_rejected_total{reason="invalid"}`) and skipped, so it cannot make
   * the service refuse its whole batch. Default Date.now.
   */
  now?: () => number;
  /** Periodic resource counts (SubmitUsageReports). Default none. */
  usage?: {
    source: UsageSource;
    /** Between reports, ms; the first goes at start. Default 3 600 000 (hourly). */
    interval?: number;
  };
}

/** What one run did. */
export interface ReporterResult {
  /** The cursor saved last (what the next run resumes from). */
  cursor: string;
  /** Audit events read (a checkpoint that carries no event is not one). */
  eventsConsumed: number;
  eventsSubmitted: number;
  batchesSubmitted: number;
  /** Activity events consumed but not acknowledged when the shutdown timeout ran out. */
  eventsUndelivered: number;
}

const DEFAULTS = {
  batchSize: 500,
  batchBytes: 1024 * 1024,
  maxMessageBytes: MAX_REQUEST_BYTES,
  batchInterval: 5_000,
  maxInFlightBatches: 2,
  idleCheckpointEvents: 10_000,
  idleCheckpointInterval: 60_000,
  untilCaughtUp: false,
  unhealthyAfter: 5,
  shutdownTimeout: 10_000,
  usageInterval: 3_600_000,
};

type Settings = typeof DEFAULTS;

/** One step of the stream as the loop sees it. */
type Step =
  | { kind: "event"; result: IteratorResult<StreamEvent> }
  | { kind: "failed"; error: unknown }
  | { kind: "timer" }
  | { kind: "aborted" }
  /** A submission settled or the run failed: look again. */
  | { kind: "changed" };

/**
 * The tenant-side reporter: reads the audit event stream, keeps the events that make a user active,
 * anonymizes them, submits them in batches and checkpoints the stream cursor only after the central side
 * has acknowledged everything before it. Delivery is at-least-once: a crash between an acknowledgement and
 * the checkpoint re-sends that batch, which the central side stores once (events are idempotent on id).
 * Reading goes on while up to `maxInFlightBatches` batches are being submitted (the round trips, the
 * central side's storage and the cursor's fsyncs overlap with reading); their acknowledgements may come
 * in any order, and the cursor saved is always that of a batch whose predecessors are all acknowledged.
 *
 * Each activity event is checked with the tenants service's rules first (src/activity/event-rules.ts):
 * one the service would refuse is skipped alone, logged and counted, so one unusual audit event cannot
 * make the service refuse its batch and stop the run.
 *
 * A retryable failure (see retry-policy.ts) is retried with backoff for as long as it lasts (by the oldest
 * unacknowledged batch; a later one waits for it), the consecutive-failure gauge and log reporting it; a
 * non-retryable one stops the run with an error and the cursor no further than the batch before the
 * refused one, since skipping it would lose data. If the stream itself fails, the events already read
 * are delivered and checkpointed, then the stream's error is thrown.
 */
export class Reporter {
  readonly #parts: RunParts;

  /** @throws InvalidArgumentError for an option out of range */
  constructor(options: ReporterOptions) {
    const logger = options.logger ?? silentLogger;
    const registry = options.registry ?? newRegistry();
    const settings = resolveSettings(options);
    const retryOptions = { ...RETRY_DEFAULTS, ...definedOnly(options.retry ?? {}) };
    const anonymizer = new MemoAnonymizer(options.anonymizer);
    const lag = new StreamLag(options.now ?? Date.now);
    this.#parts = {
      source: options.source,
      submitter: options.submitter,
      store: options.cursorStore,
      anonymizer,
      wallClock: options.now ?? Date.now,
      logger,
      settings,
      retry: retryOptions,
      metrics: reporterMetrics(registry, lag),
      lag,
      health: new SubmissionHealth(registry, logger, settings.unhealthyAfter),
      usage:
        options.usage &&
        new UsageReporter({
          source: options.usage.source,
          submitter: options.submitter,
          anonymizer,
          interval: settings.usageInterval,
          retry: retryOptions,
          logger,
          registry,
        }),
    };
  }

  /**
   * Runs until `signal` aborts (SIGTERM: the batches in hand are delivered and checkpointed within
   * `shutdownTimeout`, then it returns), until caught up with `untilCaughtUp`, or until a failure.
   *
   * @throws the non-retryable DomainError of a refused submission, the cursor saved no further than the
   *   batch before the refused one (batches after it in flight are cancelled or left unsaved)
   * @throws the stream's error (e.g. DataLossError, InvalidArgumentError for a bad cursor), after
   *   checkpointing what was read before it
   * @throws what the cursor store throws
   */
  async run(signal: AbortSignal): Promise<ReporterResult> {
    return new Run(this.#parts, signal).execute();
  }
}

/** What every run of one Reporter shares. */
interface RunParts {
  source: EventSource;
  submitter: Submitter;
  store: CursorStore;
  anonymizer: Anonymizer;
  wallClock: () => number;
  lag: StreamLag;
  logger: Logger;
  settings: Settings;
  retry: Required<RetryOptions>;
  metrics: ReporterMetrics;
  health: SubmissionHealth;
  usage: UsageReporter | undefined;
}

/** The state of one `run`. */
class Run {
  readonly #p: RunParts;
  readonly #signal: AbortSignal;
  /** Stops the stream (and usage reports): on abort, on failure, at the end. */
  readonly #streamStop = new AbortController();
  /** Stops deliveries: `shutdownTimeout` after stopping began, or at the first failure. */
  readonly #deliveryStop = new AbortController();
  /** The shutdown timeout's reason, told apart from failures. */
  readonly #timeout = new Error("shutdown timeout");
  #shutdownTimer: NodeJS.Timeout | undefined;
  #saver: CursorSaver | undefined;
  #lastSaveAt = 0;
  #filteredSinceSave = 0;
  #batcher: Batcher | undefined;
  /** Batches submitted, in stream order, until they can be checkpointed. */
  readonly #order = new CheckpointOrder();
  /** Batches submitted and not acknowledged, by sequence number. */
  readonly #unacknowledged = new Map<number, Batch>();
  /** Submissions not settled. */
  readonly #submissions = new Set<Promise<void>>();
  /** Called when a submission settles or the run fails. */
  readonly #listeners = new Set<() => void>();
  /** Ends the loop's current wait early (a no-op once it has ended). */
  #wake: ((step: Step) => void) | undefined;
  /** The deadline's timer, and the deadline it was set for. */
  #timer: NodeJS.Timeout | undefined;
  #timerDue: number | undefined;
  /** The first failure: a refusal, the cursor store's, the reader's, or the shutdown timeout. */
  #failure: { error: unknown } | undefined;
  /** Events of batches closed after the run failed, never submitted. */
  #dropped = 0;
  readonly #result: ReporterResult = {
    cursor: "",
    eventsConsumed: 0,
    eventsSubmitted: 0,
    batchesSubmitted: 0,
    eventsUndelivered: 0,
  };

  constructor(parts: RunParts, signal: AbortSignal) {
    this.#p = parts;
    this.#signal = signal;
  }

  async execute(): Promise<ReporterResult> {
    const onAbort = (): void => {
      this.#beginShutdown();
      this.#wake?.({ kind: "aborted" });
    };
    this.#signal.addEventListener("abort", onAbort, { once: true });
    if (this.#signal.aborted) this.#beginShutdown();
    const usage = this.#p.usage?.run(this.#streamStop.signal);
    try {
      return await this.#execute();
    } finally {
      this.#signal.removeEventListener("abort", onAbort);
      clearTimeout(this.#shutdownTimer);
      clearTimeout(this.#timer);
      this.#streamStop.abort();
      await usage;
    }
  }

  async #execute(): Promise<ReporterResult> {
    const { settings, logger, metrics } = this.#p;
    const loaded = await this.#p.store.load();
    const saver = new CursorSaver(this.#p.store, loaded, (cursor) => {
      this.#result.cursor = cursor;
      this.#lastSaveAt = now();
      metrics.cursorSaves.inc();
    });
    this.#saver = saver;
    this.#result.cursor = loaded;
    this.#lastSaveAt = now();
    const batcher = new Batcher(
      {
        maxEvents: settings.batchSize,
        maxBytes: settings.batchBytes,
        hardLimitBytes: settings.maxMessageBytes,
      },
      loaded,
    );
    this.#batcher = batcher;
    logger.info({ resumed: loaded !== "", untilCaughtUp: settings.untilCaughtUp }, "reporter started");

    const stream = this.#p.source.streamEvents(loaded, {
      signal: this.#streamStop.signal,
      untilCaughtUp: settings.untilCaughtUp,
      cursors: "checkpoints",
    });
    const iterator = stream[Symbol.asyncIterator]();
    let next: Promise<Step> | undefined;
    let streamFailure: { error: unknown } | undefined;
    try {
      while (!this.#signal.aborted && this.#failure === undefined) {
        if (next === undefined) this.#p.lag.waiting();
        next ??= iterator.next().then(
          (result): Step => ({ kind: "event", result }),
          (error: unknown): Step => ({ kind: "failed", error }),
        );
        const step = await this.#wait(next, this.#deadline(batcher));
        if (step.kind === "aborted" || step.kind === "changed") continue;
        if (step.kind === "timer") {
          await this.#onTimer(batcher);
          continue;
        }
        next = undefined;
        this.#p.lag.received(
          step.kind === "event" && step.result.done !== true && step.result.value.event !== undefined
            ? eventTime(step.result.value.event)?.getTime()
            : undefined,
        );
        if (step.kind === "failed") {
          streamFailure = { error: step.error };
          break;
        }
        if (step.result.done === true) break;
        await this.#consume(step.result.value, batcher);
      }
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#streamStop.abort();
      if (next !== undefined) await next;
      await iterator.return?.();
    }
    if (streamFailure !== undefined && this.#failure === undefined) {
      logger.error(
        { err: streamFailure.error },
        "event stream failed: delivering what was read, then stopping",
      );
      this.#beginShutdown();
    }
    await this.#finish(batcher);

    const failure = this.#failure;
    if (failure !== undefined && failure.error !== this.#timeout) throw failure.error;
    if (failure !== undefined) {
      this.#result.eventsUndelivered = this.#undelivered();
      logger.warn(
        { events: this.#result.eventsUndelivered, shutdownTimeout: settings.shutdownTimeout },
        "shutdown timeout: events not acknowledged are left unsaved and will be read again on restart",
      );
    }
    if (streamFailure !== undefined) throw streamFailure.error;
    this.#result.cursor = saver.saved;
    logger.info({ ...this.#result }, "reporter stopped");
    return this.#result;
  }

  /**
   * Waits for the stream's next step, the deadline, the abort, or a change, whichever comes first. Per
   * event this costs one promise: the abort listener and the deadline's timer are shared by every wait,
   * the timer set again only when the deadline moves.
   */
  #wait(next: Promise<Step>, due: number | undefined): Promise<Step> {
    if (this.#signal.aborted) return Promise.resolve({ kind: "aborted" });
    this.#arm(due);
    return new Promise<Step>((resolve) => {
      this.#wake = resolve;
      void next.then(resolve);
    });
  }

  /** Sets the deadline's timer; one that fires while the loop is busy is set again by the next wait. */
  #arm(due: number | undefined): void {
    if (due === this.#timerDue) return;
    clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer =
      due === undefined
        ? undefined
        : setTimeout(
            () => {
              this.#timer = undefined;
              this.#timerDue = undefined;
              this.#wake?.({ kind: "timer" });
            },
            Math.max(0, due - now()),
          );
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
    this.#wake?.({ kind: "changed" });
  }

  /**
   * When the loop must act without a new event: the open batch's interval, or an idle checkpoint (only
   * once every batch submitted is checkpointed: the position is past their events).
   */
  #deadline(batcher: Batcher): number | undefined {
    const { batchInterval, idleCheckpointInterval } = this.#p.settings;
    if (batcher.openedAt !== undefined) return batcher.openedAt + batchInterval;
    if (this.#idleCheckpointDue(batcher)) return this.#lastSaveAt + idleCheckpointInterval;
    return undefined;
  }

  /** Whether the position is past the cursor saved and may be saved (nothing before it unacknowledged). */
  #idleCheckpointDue(batcher: Batcher): boolean {
    return batcher.pendingEvents === 0 && this.#order.size === 0 && batcher.position !== this.#saver?.wanted;
  }

  async #onTimer(batcher: Batcher): Promise<void> {
    const batch = batcher.flush();
    if (batch !== undefined) await this.#dispatch(batch);
    else if (this.#idleCheckpointDue(batcher)) await this.#checkpoint(batcher.position);
  }

  async #consume(streamEvent: StreamEvent, batcher: Batcher): Promise<void> {
    const { metrics, settings } = this.#p;
    if (streamEvent.event === undefined) {
      // A checkpoint alone: it only moves the position.
      batcher.skip(streamEvent.cursor);
      return;
    }
    this.#result.eventsConsumed++;
    metrics.consumed.inc();
    const event = this.#build(streamEvent.event);
    if (event === null) {
      batcher.skip(streamEvent.cursor);
      this.#filteredSinceSave++;
      if (this.#filteredSinceSave >= settings.idleCheckpointEvents && this.#idleCheckpointDue(batcher)) {
        await this.#checkpoint(batcher.position);
      }
      return;
    }
    let closed: Batch[];
    try {
      closed = batcher.add(event, streamEvent.cursor, now());
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      this.#reject(err, "oversize");
      batcher.skip(streamEvent.cursor);
      return;
    }
    for (const batch of closed) await this.#dispatch(batch);
  }

  /** The activity event for a stream event; null when filtered out or refused (logged and counted). */
  #build(event: OneOf): Event | null {
    try {
      return buildActivityEvent(event, this.#p.anonymizer, this.#p.wallClock());
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      this.#reject(err, "invalid");
      return null;
    }
  }

  /** Logs (the event's id and problems, never its user) and counts an activity event skipped. */
  #reject(err: InvalidArgumentError, reason: "invalid" | "oversize"): void {
    this.#p.metrics.rejected.inc({ reason });
    const refused =
      err instanceof RefusedActivityEventError ? { id: err.eventId, problems: err.problems } : {};
    this.#p.logger.error({ err, reason, ...refused }, `activity event skipped: ${err.message}`);
  }

  /**
   * Starts submitting a closed batch once fewer than `maxInFlightBatches` are out (backpressure: the
   * reader waits here). Once the run has failed the batch is not submitted.
   */
  async #dispatch(batch: Batch): Promise<void> {
    while (this.#order.size >= this.#p.settings.maxInFlightBatches && this.#failure === undefined) {
      await this.#changed();
    }
    if (this.#failure !== undefined) {
      this.#dropped += batch.events.length;
      return;
    }
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

  /** Saves the newest cursor whose batches are all acknowledged, unless the run has failed. */
  #acknowledged(seq: number): void {
    this.#unacknowledged.delete(seq);
    const safe = this.#order.acknowledge(seq);
    // "": the batches so far came before the stream's first checkpoint, nothing to save yet.
    if (safe === undefined || safe === "" || this.#failure !== undefined) return;
    this.#filteredSinceSave = 0;
    this.#saver?.save(safe).catch((err: unknown) => this.#fail(err));
  }

  /**
   * Submits batch `seq` until acknowledged. Only the oldest unacknowledged batch retries with backoff: a
   * later one that fails retryably waits for the batches before it, then retries, so an outage sees
   * one backing-off sequence of requests, as with a single batch in flight.
   */
  async #submit(batch: Batch, seq: number): Promise<void> {
    const { submitter, health, logger, metrics } = this.#p;
    const n = batch.events.length;
    const attempt = (signal: AbortSignal): Promise<{ accepted: number }> =>
      submitter.submitEvents(batch.events, { signal });
    let accepted: number;
    try {
      ({ accepted } =
        (await this.#attemptBehind(seq, attempt)) ??
        (await retry(attempt, this.#p.retry, this.#deliveryStop.signal, {
          onFailure: (err, failures, retryIn) => {
            health.failed(err, "SubmitEvents");
            if (retryIn !== undefined) {
              logger.warn(
                { err, events: n, failures, retryInMs: Math.round(retryIn) },
                "batch submission failed: retrying",
              );
            }
          },
        })));
    } catch (err) {
      if (this.#deliveryStop.signal.aborted) throw err;
      throw refused(err, n);
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
      this.#p.health.failed(err, "SubmitEvents");
      if (!isRetryable(err)) throw err;
      this.#p.logger.warn(
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

  /**
   * Delivers the open batch (unless the run failed), waits for every submission and save, then
   * checkpoints the position of the last event consumed if everything before it is acknowledged.
   */
  async #finish(batcher: Batcher): Promise<void> {
    const batch = this.#failure === undefined ? batcher.flush() : undefined;
    if (batch !== undefined) await this.#dispatch(batch);
    while (this.#submissions.size > 0) await Promise.all(this.#submissions);
    await this.#saver?.settled();
    if (this.#failure === undefined && this.#idleCheckpointDue(batcher)) {
      await this.#checkpoint(batcher.position);
    }
  }

  /** Saves `cursor` (the reader's own checkpoint); a failure to save fails the run. */
  async #checkpoint(cursor: string): Promise<void> {
    this.#filteredSinceSave = 0;
    try {
      await this.#saver?.save(cursor);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Records the run's first failure, stops reading and stops the other deliveries. */
  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    this.#streamStop.abort();
    if (!this.#deliveryStop.signal.aborted) this.#deliveryStop.abort(error);
    this.#notify();
  }

  /** Stops reading and starts the clock on delivering what is in hand. */
  #beginShutdown(): void {
    this.#streamStop.abort();
    this.#shutdownTimer ??= setTimeout(
      () => this.#deliveryStop.abort(this.#timeout),
      this.#p.settings.shutdownTimeout,
    );
  }

  #undelivered(): number {
    let events = this.#dropped + (this.#batcher?.pendingEvents ?? 0);
    for (const batch of this.#unacknowledged.values()) events += batch.events.length;
    return events;
  }
}

/** A non-retryable refusal, said plainly: same kind as the cause, so callers can still tell them apart. */
function refused(err: unknown, events: number): DomainError {
  const reason = err instanceof Error ? err.message : String(err);
  const message =
    `the tenants service refused a batch of ${events} events: ${reason}. The cursor was not advanced, ` +
    `so nothing is skipped: fix the cause and restart to resend` +
    (isDomainError(err) && err.kind === "invalid-argument" ? INVALID_HINT : "");
  if (!isDomainError(err)) return new InternalError(message, { cause: err });
  const Kind = err.constructor as new (message: string, options: { cause: unknown }) => DomainError;
  return new Kind(message, { cause: err });
}

/**
 * Every event was checked with the service's rules before it was sent, so a refusal of its content means
 * the two sides disagree: a time "in the future" is a central clock over 15 minutes behind this side's.
 */
const INVALID_HINT =
  ". Events are checked with the service's own rules before they are sent, so the two sides disagree: " +
  "a time \"in the future\" means the service's clock is over 15 minutes behind this side's (fix the " +
  "clocks; the events are accepted once the service's clock has caught up with them), anything else " +
  "a service configured with other bounds or a different version";

function resolveSettings(options: ReporterOptions): Settings {
  const s: Settings = {
    ...DEFAULTS,
    ...definedOnly({
      batchSize: options.batchSize,
      batchBytes: options.batchBytes,
      maxMessageBytes: options.maxMessageBytes,
      batchInterval: options.batchInterval,
      maxInFlightBatches: options.maxInFlightBatches,
      idleCheckpointEvents: options.idleCheckpointEvents,
      idleCheckpointInterval: options.idleCheckpointInterval,
      untilCaughtUp: options.untilCaughtUp,
      unhealthyAfter: options.unhealthyAfter,
      shutdownTimeout: options.shutdownTimeout,
      usageInterval: options.usage?.interval,
    }),
  };
  for (const key of [
    "batchSize",
    "batchBytes",
    "maxMessageBytes",
    "maxInFlightBatches",
    "idleCheckpointEvents",
    "unhealthyAfter",
  ] as const) {
    if (!Number.isSafeInteger(s[key]) || s[key] < 1) {
      throw new InvalidArgumentError(`reporter option ${key} must be a positive integer, got ${s[key]}`);
    }
  }
  for (const key of [
    "batchInterval",
    "idleCheckpointInterval",
    "shutdownTimeout",
    "usageInterval",
  ] as const) {
    if (!Number.isFinite(s[key]) || s[key] <= 0) {
      throw new InvalidArgumentError(`reporter option ${key} must be a positive number of ms, got ${s[key]}`);
    }
  }
  if (s.batchBytes > s.maxMessageBytes) {
    throw new InvalidArgumentError(
      `reporter option batchBytes (${s.batchBytes}) must not exceed maxMessageBytes (${s.maxMessageBytes})`,
    );
  }
  return s;
}

/** The object without its undefined properties, so spreading it over defaults keeps the defaults. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function now(): number {
  return performance.now();
}
