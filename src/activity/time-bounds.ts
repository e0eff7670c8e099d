import type { Timestamp } from "../gen/google/protobuf/timestamp.js";

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range of seconds google.protobuf.Timestamp allows. */
export const TIMESTAMP_MIN_SECONDS = -62_135_596_800n;
export const TIMESTAMP_MAX_SECONDS = 253_402_300_799n;

/** No record is older than this: 2000-01-01T00:00:00Z, epoch ms. Earlier times are a broken clock. */
export const EARLIEST_TIME_MS = Date.UTC(2000, 0, 1);

/** How far past the clock of whoever checks a record's time may be, ms: 15 minutes of clock skew. */
export const MAX_FUTURE_SKEW_MS = 15 * 60_000;

/** The times accepted, in epoch milliseconds (inclusive). */
export interface TimeBounds {
  earliestMs: number;
  latestMs: number;
}

/** Bounds for a check made at `nowMs`: from `earliestMs` to `maxFutureSkewMs` past now. */
export function timeBounds(
  nowMs: number,
  earliestMs = EARLIEST_TIME_MS,
  maxFutureSkewMs = MAX_FUTURE_SKEW_MS,
): TimeBounds {
  return { earliestMs, latestMs: nowMs + maxFutureSkewMs };
}

/**
 * What is wrong with a record's time, or undefined when it is present, well-formed and inside `bounds`.
 * Timestamps beyond what a Date can show are only compared, never formatted.
 */
export function timeProblem(ts: Timestamp | undefined, bounds: TimeBounds): string | undefined {
  if (ts === undefined) return "time is missing";
  if (!Number.isInteger(ts.nanos) || ts.nanos < 0 || ts.nanos > 999_999_999) {
    return `time has nanos ${ts.nanos}, outside 0..999999999`;
  }
  const ms = Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1_000_000);
  if (ms < bounds.earliestMs) {
    return `time ${describe(ts, ms)} is before ${new Date(bounds.earliestMs).toISOString()}`;
  }
  if (ms > bounds.latestMs) {
    return (
      `time ${describe(ts, ms)} is in the future (later than ${new Date(bounds.latestMs).toISOString()}, ` +
      `now plus the allowed clock skew)`
    );
  }
  return undefined;
}

function describe(ts: Timestamp, ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ts.seconds}s since the epoch` : date.toISOString();
}
