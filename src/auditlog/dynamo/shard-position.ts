import type { StartPoint } from "./resume-plan.js";

/**
 * Where a reader stands in one shard: a start point, or the point a LATEST iterator was opened at. The
 * latter belongs to one reader (LATEST names a different point each time it is asked for), so it is
 * matched only with that reader and cannot be reopened once the reader is gone.
 */
export type ShardPosition = StartPoint | { type: "OPENED_LATEST"; reader: number };

/**
 * Equal keys mean the same remaining records: a page read at a position holds exactly what follows it,
 * whoever reads it. An unopened LATEST has no key of its own: it names no point yet.
 */
export function positionKey(position: ShardPosition): string {
  switch (position.type) {
    case "TRIM_HORIZON":
      return "trim_horizon";
    case "LATEST":
      return "latest";
    case "OPENED_LATEST":
      return `latest#${position.reader}`;
    case "AT_SEQUENCE_NUMBER":
      return `at:${position.sequenceNumber}`;
    case "AFTER_SEQUENCE_NUMBER":
      return afterKey(position.sequenceNumber);
  }
}

/** The key of the position just after a record. */
export function afterKey(sequenceNumber: string): string {
  return `after:${sequenceNumber}`;
}

/** The sequence number a position names, if any (for messages about trimmed positions). */
export function positionSequenceNumber(position: ShardPosition): string | undefined {
  return position.type === "AT_SEQUENCE_NUMBER" || position.type === "AFTER_SEQUENCE_NUMBER"
    ? position.sequenceNumber
    : undefined;
}
