import type { _Record, Dimension, MeasureValue } from "@aws-sdk/client-timestream-write";
import type { EventRecord } from "../event-record.js";
import { microsToMillis } from "../timestamp.js";
import { USAGE_COUNTS } from "../../activity/usage-report-rules.js";
import type { UserKind } from "../../gen/tenants/tenants.js";
import { type Day, dayOf } from "../../mau/calendar.js";
import type { UsageRecord } from "../usage-record.js";

/**
 * How events and usage reports become Timestream records (one table holds both; `measure_name` tells
 * them apart), and the daily activity records of the second table.
 *
 * Activity event → one single-measure record:
 *   dimensions  tenant, id, type, user, user_kind ("0"/"1"/"2", tenants.UserKind), protocol, cluster,
 *               session_kind — a dimension whose value is empty is left out (Timestream refuses empty
 *               dimension values), so queries read it as NULL: use coalesce(protocol, '');
 *   measure     active = 1 (BIGINT);
 *   time        the event's time in MILLISECONDS;
 *   version     1, fixed.
 * Re-sending an event rebuilds the identical record (same dimensions, time, measure name and value),
 * which Timestream accepts as a no-op upsert; two different events always differ in `id`, so they never
 * share a record even at the same time for the same user.
 *
 * Usage report → one MULTI-measure record: dimensions tenant and cluster; measure name `usage` with
 * BIGINT values users, servers, databases, apps, kube_clusters, desktops, roles, auth_connectors; time
 * in MILLISECONDS; version 1. A re-sent identical report is a no-op; a different report for the same
 * (cluster, time) is rejected by Timestream and surfaces as an error.
 *
 * Daily activity (the rollup, in its own table) → one single-measure record per distinct (UTC day,
 * user_kind, protocol, user) among a batch's events with a user:
 *   dimensions  tenant, user, user_kind, protocol (empty protocol left out, as for events);
 *   measure     active_day = 1 (BIGINT);
 *   time        the UTC day's start (00:00) in MILLISECONDS;
 *   version     1, fixed.
 * Every event of that user, kind and protocol on that day, in any batch, yields this same record, so
 * every write of it after the first is an identical re-write: a no-op upsert.
 */

export const EVENT_MEASURE = "active";
export const USAGE_MEASURE = "usage";
export const ACTIVE_DAY_MEASURE = "active_day";
export const RECORD_VERSION = 1;
/** Timestream's WriteRecords limit. */
export const MAX_RECORDS_PER_WRITE = 100;

export function eventCommonAttributes(tenant: string): _Record {
  return {
    Dimensions: [{ Name: "tenant", Value: tenant }],
    MeasureName: EVENT_MEASURE,
    MeasureValueType: "BIGINT",
    MeasureValue: "1",
    TimeUnit: "MILLISECONDS",
    Version: RECORD_VERSION,
  };
}

export function eventRecord(event: EventRecord): _Record {
  return {
    Dimensions: dimensions([
      ["id", event.id],
      ["type", event.type],
      ["user", event.user],
      ["user_kind", String(event.userKind)],
      ["protocol", event.protocol],
      ["cluster", event.cluster],
      ["session_kind", event.sessionKind],
    ]),
    Time: microsToMillis(event.timeMicros).toString(),
  };
}

export function usageCommonAttributes(tenant: string): _Record {
  return {
    Dimensions: [{ Name: "tenant", Value: tenant }],
    MeasureName: USAGE_MEASURE,
    MeasureValueType: "MULTI",
    TimeUnit: "MILLISECONDS",
    Version: RECORD_VERSION,
  };
}

export function usageRecord(report: UsageRecord): _Record {
  const values: MeasureValue[] = USAGE_COUNTS.map((name) => ({
    Name: name,
    Value: report.counts[name].toString(),
    Type: "BIGINT",
  }));
  return {
    Dimensions: dimensions([["cluster", report.cluster]]),
    MeasureValues: values,
    Time: microsToMillis(report.timeMicros).toString(),
  };
}

/** One (UTC day, user kind, protocol, user) with activity: a daily activity record. */
export interface ActiveDay {
  day: Day;
  user: string;
  userKind: UserKind;
  protocol: string;
}

/**
 * The distinct active days of a batch's events, in order of first appearance: one per (UTC day, user
 * kind, protocol, user) among the events with a user.
 */
export function activeDays(events: readonly EventRecord[]): ActiveDay[] {
  const days = new Map<string, ActiveDay>();
  for (const event of events) {
    if (event.user === "") continue;
    const day = dayOf(Number(microsToMillis(event.timeMicros)));
    const key = JSON.stringify([day, event.userKind, event.protocol, event.user]);
    if (!days.has(key))
      days.set(key, { day, user: event.user, userKind: event.userKind, protocol: event.protocol });
  }
  return [...days.values()];
}

export function activeDayCommonAttributes(tenant: string): _Record {
  return {
    Dimensions: [{ Name: "tenant", Value: tenant }],
    MeasureName: ACTIVE_DAY_MEASURE,
    MeasureValueType: "BIGINT",
    MeasureValue: "1",
    TimeUnit: "MILLISECONDS",
    Version: RECORD_VERSION,
  };
}

export function activeDayRecord(active: ActiveDay): _Record {
  return {
    Dimensions: dimensions([
      ["user", active.user],
      ["user_kind", String(active.userKind)],
      ["protocol", active.protocol],
    ]),
    Time: String(active.day),
  };
}

function dimensions(pairs: [string, string][]): Dimension[] {
  return pairs.filter(([, value]) => value !== "").map(([Name, Value]) => ({ Name, Value }));
}

/** Splits items into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
