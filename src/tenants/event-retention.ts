import { InvalidArgumentError } from "../errors/errors.js";
import { DAY_MS } from "../mau/calendar.js";
import { type Logger, silentLogger } from "../observability/logger.js";
import { counter, newRegistry, type Registry } from "../observability/metrics.js";
import type { Sink } from "../store/sink.js";
import { type Clock, systemClock } from "../time/clock.js";

export interface EventRetentionOptions {
  /** Raw events older than this many days (before now − days) are deleted. Required, a positive integer. */
  days: number;
  /** Time between runs, ms, the first run being at start; default 1 hour (EVENT_RETENTION_DEFAULTS). */
  intervalMs?: number;
  /** Wall clock: the age of events is measured against it. Default systemClock. */
  clock?: Clock;
  /** Default silentLogger. */
  logger?: Logger;
  /** Registry for `tenant_events_tenants_expired_events_total`. Default: a private one. */
  registry?: Registry;
}

export const EVENT_RETENTION_DEFAULTS = { intervalMs: 3_600_000 } as const;

/** A sink that can expire its raw events (DuckDB, PostgreSQL; Timestream expires its own). */
export type ExpiringSink = Required<Pick<Sink, "expireEvents">>;

export function canExpireEvents<S extends Sink>(sink: S): sink is S & ExpiringSink {
  return sink.expireEvents !== undefined;
}

/**
 * Event retention for the tenants service: deletes the sink's raw events older than `days` at start and
 * then every `intervalMs` until `signal` aborts (the run in flight finishes first). MAU history stays:
 * it is answered from the daily activity rollup, which the sink keeps. A run the sink defers (its rollup
 * still being built) or that fails is logged and tried again at the next interval. Resolves once stopped.
 */
export async function runEventRetention(
  sink: ExpiringSink,
  options: EventRetentionOptions,
  signal: AbortSignal,
): Promise<void> {
  const { days } = options;
  if (!(Number.isSafeInteger(days) && days > 0)) {
    throw new InvalidArgumentError(`event retention days must be a positive integer, got ${days}`);
  }
  const intervalMs = options.intervalMs ?? EVENT_RETENTION_DEFAULTS.intervalMs;
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new InvalidArgumentError(
      `event retention interval must be a positive number of ms, got ${intervalMs}`,
    );
  }
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const expired = counter(options.registry ?? newRegistry(), {
    name: "tenant_events_tenants_expired_events_total",
    help: "Raw events deleted by event retention (--event-retention).",
  });
  expired.inc(0);
  while (!signal.aborted) {
    const before = new Date(clock.now() - days * DAY_MS);
    try {
      const result = await sink.expireEvents(before);
      expired.inc(result.deleted);
      if (result.deferred) {
        logger.info(
          { before: before.toISOString() },
          "event retention deferred: the daily activity rollup is still being built from the stored events",
        );
      } else {
        logger.info(
          { before: before.toISOString(), deleted: result.deleted },
          "event retention: raw events expired",
        );
      }
    } catch (err) {
      logger.warn(
        { err, before: before.toISOString() },
        "event retention failed; trying again at the next interval",
      );
    }
    await clock.sleep(intervalMs, signal);
  }
}
