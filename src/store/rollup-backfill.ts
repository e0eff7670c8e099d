import { FailedPreconditionError } from "../errors/errors.js";
import { DAY_MS } from "../mau/calendar.js";
import type { Logger } from "../observability/logger.js";
import { type Clock, monotonicClock } from "../time/clock.js";

/**
 * Building the daily activity rollup from the events a SQL sink stored before it had one (the backfill),
 * the part both SQL backends share: the span still to build, progress, the loop that runs a backend's
 * steps until the span is done, and the error MAU gets meanwhile. A backend supplies the steps (one
 * bounded range of days per transaction, advancing `daily_activity_backfill.next_day` in it), so a kill
 * loses at most the step in flight and the next open resumes at `next_day`.
 */

/** The row of `daily_activity_backfill`, as epoch ms of UTC day starts. */
export interface BackfillSpan {
  /** The first day of the span migration 2 recorded; it never moves. */
  firstDay: number;
  /** The first day not built yet. */
  nextDay: number;
  /** The last day to build (inclusive). */
  lastDay: number;
}

export function totalDays(span: BackfillSpan): number {
  return Math.round((span.lastDay - span.firstDay) / DAY_MS) + 1;
}

export function daysDone(span: BackfillSpan): number {
  return Math.round((span.nextDay - span.firstDay) / DAY_MS);
}

/** What MAU answers while the rollup is incomplete. */
export function rollupBuildingError(span: BackfillSpan): FailedPreconditionError {
  return new FailedPreconditionError(
    `the daily activity rollup is being built from the stored events (${daysDone(span)} of ` +
      `${totalDays(span)} days done); MAU is available once it completes`,
  );
}

/**
 * What MAU answers on a database whose schema predates the rollup (opened read-only, not migrated): by
 * default the daily rollup, built from the stored events; or a later one built from an earlier.
 */
export function rollupMissingError(
  rollup = "daily activity rollup",
  source = "the stored events",
): FailedPreconditionError {
  return new FailedPreconditionError(
    `the database predates the ${rollup}, which is built from ${source} when the ` +
      "tenants service next opens it; MAU is available once it completes",
  );
}

/** One backend's steps of the build. */
export interface BackfillSteps {
  /** The span still to build, undefined when the rollup is complete. */
  pending(): Promise<BackfillSpan | undefined>;
  /**
   * Builds the rollup rows of the first range of days of `span` and advances (or, after the last day,
   * deletes) the backfill row in the same transaction. Resolves to the span left (undefined: complete)
   * and the raw events the range held.
   */
  step(span: BackfillSpan): Promise<{ left: BackfillSpan | undefined; events: number }>;
}

export interface BackfillOptions {
  logger: Logger;
  /** Least time between two progress lines, ms; default 10 000 (the first and last are always logged). */
  progressIntervalMs?: number;
  /** Wait before trying again after a failed step or while another process builds, ms; default 60 000. */
  retryMs?: number;
  /** Default monotonicClock. */
  clock?: Clock;
}

export const BACKFILL_DEFAULTS = { progressIntervalMs: 10_000, retryMs: 60_000 } as const;

/** How one attempt ended: the rollup is complete, someone else holds the build, or the sink is closing. */
export type AttemptOutcome = "complete" | "busy" | "stopped";

/** A build running in the background of an open sink. */
export interface RollupBackfill {
  /** Resolves once the rollup is complete ("complete") or the sink stopped the build ("stopped"). */
  readonly done: Promise<"complete" | "stopped">;
  /** Stops after the step in flight (the next open resumes) and waits for it. */
  stop(): Promise<void>;
}

/**
 * Runs `attempt` until the rollup is complete or `stop` is called: after a failure (logged) or while
 * another process builds ("busy"), it tries again after `retryMs`.
 */
export function startBackfill(
  attempt: (signal: AbortSignal) => Promise<AttemptOutcome>,
  options: BackfillOptions,
): RollupBackfill {
  const stopper = new AbortController();
  const clock = options.clock ?? monotonicClock;
  const retryMs = options.retryMs ?? BACKFILL_DEFAULTS.retryMs;
  const done = (async (): Promise<"complete" | "stopped"> => {
    for (;;) {
      let outcome: AttemptOutcome | "failed";
      try {
        outcome = await attempt(stopper.signal);
      } catch (err) {
        // Stopping aborts a read in flight, which then fails: that is the stop, not a failure.
        if (stopper.signal.aborted) return "stopped";
        options.logger.error(
          { err },
          "building the daily activity rollup failed; trying again later (MAU is refused until it completes)",
        );
        outcome = "failed";
      }
      if (outcome === "complete" || outcome === "stopped") return outcome;
      await clock.sleep(retryMs, stopper.signal);
      if (stopper.signal.aborted) return "stopped";
    }
  })();
  return {
    done,
    stop: async () => {
      stopper.abort();
      await done;
    },
  };
}

/**
 * One attempt at the build with the lock (where there is one) held: steps until the span is done or
 * `signal` aborts, logging progress (days done of the total, events read per second) on the way.
 */
export async function buildRollup(
  steps: BackfillSteps,
  signal: AbortSignal,
  options: BackfillOptions,
): Promise<"complete" | "stopped"> {
  const { logger } = options;
  const clock = options.clock ?? monotonicClock;
  const progressIntervalMs = options.progressIntervalMs ?? BACKFILL_DEFAULTS.progressIntervalMs;
  let span = await steps.pending();
  if (span === undefined) return "complete";
  const total = totalDays(span);
  logger.info(
    {
      from: new Date(span.nextDay).toISOString(),
      to: new Date(span.lastDay).toISOString(),
      daysDone: daysDone(span),
      days: total,
    },
    "building the daily activity rollup from the stored events; MAU is refused until it completes",
  );
  const started = clock.now();
  let lastLog = started;
  let events = 0;
  const rate = (now: number) => Math.round((events * 1000) / Math.max(1, now - started));
  while (span !== undefined) {
    if (signal.aborted) {
      logger.info(
        { daysDone: daysDone(span), days: total },
        "daily activity rollup build stopped; it resumes where it stopped when the sink next opens",
      );
      return "stopped";
    }
    const result = await steps.step(span);
    events += result.events;
    span = result.left;
    const now = clock.now();
    if (span !== undefined && now - lastLog >= progressIntervalMs) {
      lastLog = now;
      logger.info(
        { daysDone: daysDone(span), days: total, events, eventsPerSecond: rate(now) },
        "building the daily activity rollup",
      );
    }
  }
  const now = clock.now();
  logger.info(
    { days: total, events, seconds: (now - started) / 1000, eventsPerSecond: rate(now) },
    "daily activity rollup built; MAU is available",
  );
  return "complete";
}
