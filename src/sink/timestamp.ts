import { InvalidArgumentError } from "../errors/errors.js";
import type { Timestamp } from "../gen/google/protobuf/timestamp.js";

/** 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z: the RFC 3339 range google.protobuf.Timestamp allows. */
const MIN_SECONDS = -62135596800n;
const MAX_SECONDS = 253402300799n;

/**
 * Microseconds since the Unix epoch, the precision both sinks store (Timestream keeps milliseconds of it).
 * Rejects a missing or out-of-range timestamp with a message naming `what`.
 */
export function timestampMicros(ts: Timestamp | undefined, what: string): bigint {
  if (ts === undefined) throw new InvalidArgumentError(`${what}: time is required`);
  const seconds = BigInt(ts.seconds);
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
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
