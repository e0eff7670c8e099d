/**
 * Classifies Timestream's per-record rejections (RejectedRecordsException.RejectedRecords).
 *
 * - "duplicate": the store already holds this record at this version. Timestream documents identical
 *   re-writes as accepted, but has been seen to reject them with the same-version reason; for an event
 *   record that rejection is harmless, because the measure is the constant 1 and every event field is a
 *   dimension, so a stored record with the same dimensions, time, measure name and version can only be
 *   this event. The same holds for a daily activity record (constant 1, every field a dimension), which
 *   every re-sent batch and every further event of that user's day re-writes. For usage reports (whose
 *   measures vary) the same reason means a conflicting report.
 * - "future": time more than 15 minutes ahead (outside the ingestion window at its end).
 * - "retention": older than the table's memory store retention and magnetic store writes are disabled
 *   (outside the window at its start), or older than the magnetic retention.
 * - "other": anything else (record too large, version conflicts, schema conflicts, …).
 */
export type RejectionCause = "duplicate" | "future" | "retention" | "other";

const SAME_VERSION = /already exists with the same time, dimensions, measure name,? and (record )?version/i;
const OUTSIDE_WINDOW =
  /outside the (time range|ingestion window|.*retention)|data ingestion window|retention period/i;
/** Timestream accepts records up to 15 minutes ahead. */
export const MAX_FUTURE_MS = 15 * 60 * 1000;

export interface RejectionFacts {
  reason: string;
  existingVersion: number | undefined;
  /**
   * Whether the record's measure is constant (event and daily activity records), which makes a
   * same-version clash harmless.
   */
  constantMeasure: boolean;
  version: number;
  timeMs: number;
  nowMs: number;
}

export function classifyRejection(facts: RejectionFacts): RejectionCause {
  if (SAME_VERSION.test(facts.reason)) {
    const sameVersion = facts.existingVersion === undefined || facts.existingVersion === facts.version;
    return facts.constantMeasure && sameVersion ? "duplicate" : "other";
  }
  if (OUTSIDE_WINDOW.test(facts.reason)) {
    return facts.timeMs > facts.nowMs + MAX_FUTURE_MS ? "future" : "retention";
  }
  return "other";
}
