import type { Timestamp } from "../gen/google/protobuf/timestamp.js";

/** The times the service accepts, in epoch milliseconds (inclusive). */
export interface TimeBounds {
  earliestMs: number;
  latestMs: number;
}

/** Bounds for a request arriving at `nowMs`: from `earliestMs` to `maxFutureSkewMs` past now. */
export function timeBounds(nowMs: number, earliestMs: number, maxFutureSkewMs: number): TimeBounds {
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
      `the service's clock plus the allowed skew)`
    );
  }
  return undefined;
}

function describe(ts: Timestamp, ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ts.seconds}s since the epoch` : date.toISOString();
}
