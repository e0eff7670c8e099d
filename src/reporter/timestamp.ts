import type { Timestamp } from "../gen/google/protobuf/timestamp.js";

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the range google.protobuf.Timestamp allows. */
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_799_999;

/** The Timestamp of a Date, or undefined when it is invalid or outside the range a Timestamp allows. */
export function toTimestamp(date: Date): Timestamp | undefined {
  const ms = date.getTime();
  if (!(ms >= MIN_MS && ms <= MAX_MS)) return undefined;
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
