import type { EventRecord } from "../event-record.js";
import { type RecordedKeys, rollupKey, utcDayStartMicros, utcMonthStartMicros } from "../recorded-keys.js";
import { utcDayStart, utcMonthStart } from "./schema.js";

/** The batch's events alone. Parameters: tenant, received_at, then one array per event column. */
const INSERT_EVENTS = `INSERT INTO events
    (tenant, id, time, type, "user", user_kind, protocol, cluster, session_kind, received_at)
  SELECT $1::text, id, time, type, "user", user_kind, protocol, cluster, session_kind, $2::timestamptz
  FROM unnest($3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::smallint[], $8::text[], $9::text[],
    $10::text[]) AS batch(id, time, type, "user", user_kind, protocol, cluster, session_kind)
  ORDER BY id, time
  ON CONFLICT DO NOTHING`;

/**
 * The batch's events and the rollup rows of those the primary key let in (RETURNING yields only the
 * inserted rows, never a re-sent event's), in one statement: their days into `daily_activity` and, with
 * `months`, their months into `monthly_activity`, each insert in key order. It returns the number of
 * events inserted: when that is the whole batch, every event's rollup rows are committed with it.
 */
function insertWithRollup(months: boolean): string {
  const monthly = `, monthly AS (
  INSERT INTO monthly_activity (tenant, time, user_kind, protocol, "user")
  SELECT DISTINCT tenant, ${utcMonthStart("time")} AS month, user_kind, protocol, "user" FROM days
  ORDER BY tenant, month, user_kind, protocol, "user"
  ON CONFLICT DO NOTHING
)`;
  return `WITH inserted AS (
  ${INSERT_EVENTS}
  RETURNING tenant, time, user_kind, protocol, "user"
), days AS (
  SELECT DISTINCT tenant, ${utcDayStart("time")} AS time, user_kind, protocol, "user"
  FROM inserted
  WHERE "user" <> ''
), daily AS (
  INSERT INTO daily_activity (tenant, time, user_kind, protocol, "user")
  SELECT tenant, time, user_kind, protocol, "user" FROM days
  ORDER BY tenant, time, user_kind, protocol, "user"
  ON CONFLICT DO NOTHING
)${months ? monthly : ""}
SELECT count(*)::integer AS inserted FROM inserted`;
}

/**
 * Which rollup rows a batch's statement must write: none when every daily key of its events is known to
 * be committed (a committed daily row has its monthly row), the daily ones when the monthly keys of the
 * others are, else both.
 */
export type RollupPart = "none" | "daily" | "daily-and-monthly";

export const BATCH_STATEMENTS: Readonly<Record<RollupPart, string>> = {
  none: INSERT_EVENTS,
  daily: insertWithRollup(false),
  "daily-and-monthly": insertWithRollup(true),
};

/** Keys of the daily and monthly rollup rows this sink knows are committed. */
export interface CommittedRollup {
  readonly daily: RecordedKeys;
  readonly monthly: RecordedKeys;
}

/** What a batch's statement writes of the rollups, and the keys it commits that were not known. */
export interface BatchRollup {
  readonly part: RollupPart;
  readonly daily: readonly string[];
  readonly monthly: readonly string[];
}

export function planRollup(
  tenant: string,
  records: readonly EventRecord[],
  committed: CommittedRollup,
): BatchRollup {
  const daily: string[] = [];
  const monthly: string[] = [];
  // A batch spans few days: each day's month is worked out once.
  const months = new Map<bigint, bigint>();
  let monthlyKnown = true;
  for (const r of records) {
    if (r.user === "") continue;
    const day = utcDayStartMicros(r.timeMicros);
    const dayKey = rollupKey(tenant, day, r.userKind, r.protocol, r.user);
    if (committed.daily.has(dayKey)) continue;
    daily.push(dayKey);
    let month = months.get(day);
    if (month === undefined) months.set(day, (month = utcMonthStartMicros(day)));
    const monthKey = rollupKey(tenant, month, r.userKind, r.protocol, r.user);
    monthly.push(monthKey);
    if (!committed.monthly.has(monthKey)) monthlyKnown = false;
  }
  const part = daily.length === 0 ? "none" : monthlyKnown ? "daily" : "daily-and-monthly";
  return { part, daily, monthly };
}

/**
 * After the statement committed, given the number of events it inserted (reported by a statement with
 * a rollup part): the plan's keys are committed when every event went in. A batch with an event stored
 * already records nothing: a re-sent id's content may differ from the stored event's, whose rollup rows
 * are its own.
 */
export function recordCommitted(
  plan: BatchRollup,
  records: number,
  inserted: number | undefined,
  committed: CommittedRollup,
): void {
  if (plan.part === "none" || inserted !== records) return;
  committed.daily.addAll(plan.daily);
  committed.monthly.addAll(plan.monthly);
}
