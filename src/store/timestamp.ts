import { TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS } from "../activity/time-bounds.js";
import { InvalidArgumentError } from "../errors/errors.js";
import type { Timestamp } from "../gen/google/protobuf/timestamp.js";

/**
 * Microseconds since the Unix epoch, the precision both sinks store (Timestream keeps milliseconds of it).
 * Rejects a missing or out-of-range timestamp with a message naming `what`.
 */
export function timestampMicros(ts: Timestamp | undefined, what: string): bigint {
  if (ts === undefined) throw new InvalidArgumentError(`${what}: time is required`);
  const seconds = BigInt(ts.seconds);
  if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS) {
    throw new InvalidArgumentError(`${what}: time is outside 0001-01-01..9999-12-31`);
  }
  if (!Number.isInteger(ts.nanos) || ts.nanos < 0 || ts.nanos > 999_999_999) {
    throw new InvalidArgumentError(`${what}: time nanos must be in 0..999999999`);
  }
  return seconds * 1_000_000n + BigInt(Math.floor(ts.nanos / 1000));
}

/** Milliseconds since the epoch, rounded down (towards the past) like the microsecond value. */
export function microsToMillis(micros: bigint): bigint {
  const q = micros / 1000n;
  return micros < 0n && q * 1000n !== micros ? q - 1n : q;
}

export function microsToIso(micros: bigint): string {
  return new Date(Number(microsToMillis(micros))).toISOString();
}
