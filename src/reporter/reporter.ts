import { silentLogger } from "../observability/logger.js";
import { newRegistry } from "../observability/metrics.js";
import { monotonicClock } from "../time/clock.js";
import { CursorSaver } from "./cursor-saver.js";
import { reporterMetrics } from "./reporter-metrics.js";
import { resolveReporterOptions, type ReporterOptions } from "./reporter-options.js";
import { activities } from "./stages/activities.js";
import { BatchStage } from "./stages/batches.js";
import { Delivery } from "./stages/delivery.js";
import { logRefusals } from "./stages/refusals.js";
import { sourceEvents } from "./stages/source.js";
import { StreamLag } from "./stream-lag.js";
import { SubmissionHealth } from "./submission-health.js";

export type { ReporterOptions } from "./reporter-options.js";

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

/**
 * The tenant-side reporter: reads the audit event stream, keeps the events that make a user active,
 * anonymizes them, submits them in batches and checkpoints the stream cursor only after the central side
 * has acknowledged everything before it. Delivery is at-least-once: a crash between an acknowledgement and
 * the checkpoint re-sends that batch, which the central side stores once (events are idempotent on id).
 *
 * It wires four stages, each pulling from the one before, so a slow tenants service slows the reading:
 * source (the stream in checkpoints mode) → activities (filter, build, refuse-and-count: stages/
 * activities.ts) → batches (count, bytes, age; idle checkpoints: stages/batches.ts) → delivery (the
 * in-flight window, ordered cursor saves, retries, shutdown: stages/delivery.ts).
 */
export class Reporter {
  readonly #o: ReporterOptions;
  readonly #settings;
  readonly #lag: StreamLag;
  readonly #metrics;
  readonly #health: SubmissionHealth;

  /** @throws InvalidArgumentError for an option out of range */
  constructor(options: ReporterOptions) {
    this.#o = options;
    this.#settings = resolveReporterOptions(options);
    const registry = options.registry ?? newRegistry();
    this.#lag = new StreamLag(options.now ?? Date.now);
    this.#metrics = reporterMetrics(registry, this.#lag);
    this.#health = new SubmissionHealth(registry, this.#logger, this.#settings.unhealthyAfter);
  }

  get #logger() {
    return this.#o.logger ?? silentLogger;
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
    const o = this.#o;
    const s = this.#settings;
    const logger = this.#logger;
    const metrics = this.#metrics;
    const clock = o.clock ?? monotonicClock;
    const loaded = await o.cursorStore.load();
    const cursors = new CursorSaver(o.cursorStore, loaded, () => metrics.cursorSaves.inc());
    const streamStop = new AbortController();
    const delivery = new Delivery({
      ...s,
      submitter: o.submitter,
      cursors,
      clock,
      health: this.#health,
      logger,
      metrics,
      stopStream: () => streamStop.abort(),
    });
    const onRefused = logRefusals(metrics, logger);
    let eventsConsumed = 0;
    const events = sourceEvents({
      source: o.source,
      cursor: loaded,
      signal: streamStop.signal,
      untilCaughtUp: s.untilCaughtUp,
      lag: this.#lag,
      onFailure: (error) => delivery.streamFailed(error),
    });
    const consumed = activities(events, {
      anonymizer: o.anonymizer,
      now: o.now ?? Date.now,
      onConsumed: () => {
        eventsConsumed++;
        metrics.consumed.inc();
      },
      onRefused,
    });
    const batches = new BatchStage(
      {
        ...s,
        limits: { maxEvents: s.batchSize, maxBytes: s.batchBytes, hardLimitBytes: s.maxMessageBytes },
        clock,
        onRefused,
      },
      loaded,
    );

    logger.info({ resumed: loaded !== "", untilCaughtUp: s.untilCaughtUp }, "reporter started");
    const stop = (): void => delivery.stop();
    signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted) stop();
    try {
      const delivered = await delivery.run(batches.batches(consumed), () => batches.pendingEvents);
      const result = { cursor: cursors.saved, eventsConsumed, ...delivered };
      logger.info({ ...result }, "reporter stopped");
      return result;
    } finally {
      signal.removeEventListener("abort", stop);
      streamStop.abort();
    }
  }
}
