import { MAX_REQUEST_BYTES } from "../activity/batch-limits.js";
import { InvalidArgumentError } from "../errors/errors.js";
import type { Logger } from "../observability/logger.js";
import type { Registry } from "../observability/metrics.js";
import type { Clock } from "../time/clock.js";
import type { Anonymizer } from "./anonymizer/anonymizer.js";
import type { CursorStore } from "./cursor-store/cursor-store.js";
import type { EventSource } from "./event-source.js";
import { resolveBackoff, type Backoff, type BackoffOptions } from "../time/backoff.js";
import { RETRY_DEFAULTS } from "./retry-policy.js";
import type { Submitter } from "./submitter/submitter.js";

/** What the reporter reads from, writes to, and how it batches; defaults in REPORTER_DEFAULTS. */
export interface ReporterOptions {
  source: EventSource;
  submitter: Submitter;
  cursorStore: CursorStore;
  /** Called for every user and cluster name; wrap it in a MemoAnonymizer to hash each name once. */
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
   * With no batch open, the position is checkpointed after this many consecutive filtered-out events,
   * so a restart does not re-read them all. Default 10 000.
   */
  idleCheckpointEvents?: number;
  /** ... or once this long has passed since the last batch or checkpoint, ms. Default 60 000. */
  idleCheckpointInterval?: number;
  /** Stop once caught up with the audit log (a one-shot run). Default false: follow it. */
  untilCaughtUp?: boolean;
  /** Backoff between retries of a failed submission; defaults in RETRY_DEFAULTS. */
  retry?: BackoffOptions;
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
   * the service refuse its whole batch. Also the clock of the stream lag gauge. Default Date.now.
   */
  now?: () => number;
  /** Times the batch interval, idle checkpoints and the shutdown timeout. Default monotonicClock. */
  clock?: Clock;
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
};

/** The default of every optional setting, as documented on ReporterOptions. */
export const REPORTER_DEFAULTS: Readonly<typeof DEFAULTS> = DEFAULTS;

/** The reporter's settings with every default applied and checked. */
export interface ResolvedReporterOptions extends Required<Pick<ReporterOptions, keyof typeof DEFAULTS>> {
  retry: Backoff;
}

const POSITIVE_INTEGERS = [
  "batchSize",
  "batchBytes",
  "maxMessageBytes",
  "maxInFlightBatches",
  "idleCheckpointEvents",
  "unhealthyAfter",
] as const;

const POSITIVE_DURATIONS = ["batchInterval", "idleCheckpointInterval", "shutdownTimeout"] as const;

/**
 * Applies the defaults and checks the result.
 * @throws InvalidArgumentError for an option out of range
 */
export function resolveReporterOptions(options: ReporterOptions): ResolvedReporterOptions {
  const s: ResolvedReporterOptions = {
    ...REPORTER_DEFAULTS,
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
    }),
    retry: resolveBackoff(options.retry, RETRY_DEFAULTS, "reporter option retry"),
  };
  for (const key of POSITIVE_INTEGERS) {
    if (!Number.isSafeInteger(s[key]) || s[key] < 1) {
      throw new InvalidArgumentError(`reporter option ${key} must be a positive integer, got ${s[key]}`);
    }
  }
  for (const key of POSITIVE_DURATIONS) {
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
