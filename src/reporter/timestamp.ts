import { TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS } from "../activity/time-bounds.js";
import type { Timestamp } from "../gen/google/protobuf/timestamp.js";

const MIN_MS = Number(TIMESTAMP_MIN_SECONDS) * 1000;
const MAX_MS = Number(TIMESTAMP_MAX_SECONDS) * 1000 + 999;

/** The Timestamp of a Date, or undefined when it is invalid or outside the range a Timestamp allows. */
export function toTimestamp(date: Date): Timestamp | undefined {
  const ms = date.getTime();
  if (!(ms >= MIN_MS && ms <= MAX_MS)) return undefined;
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
