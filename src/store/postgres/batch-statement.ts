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
 * `months`, their months into `monthly_activity`, each insert in key order. It returns the daily keys
 * of the inserted events (day in epoch microseconds), all committed with it.
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
SELECT (extract(epoch FROM time) * 1000000)::bigint::text AS day_micros, user_kind, protocol, "user"
FROM days`;
}

/**
 * Which rollup rows a batch's statement must write: none when every daily key of its events is known to
 * be committed (a committed daily row has its monthly row), the daily ones when every monthly key is,
 * else both.
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

export function rollupPart(
  tenant: string,
  records: readonly EventRecord[],
  committed: CommittedRollup,
): RollupPart {
  let part: RollupPart = "none";
  for (const r of records) {
    if (r.user === "") continue;
    if (
      committed.daily.has(rollupKey(tenant, utcDayStartMicros(r.timeMicros), r.userKind, r.protocol, r.user))
    )
      continue;
    if (
      !committed.monthly.has(
        rollupKey(tenant, utcMonthStartMicros(r.timeMicros), r.userKind, r.protocol, r.user),
      )
    )
      return "daily-and-monthly";
    part = "daily";
  }
  return part;
}

/** A daily key a statement with a rollup part returns. */
export interface RollupKeyRow {
  day_micros: string;
  user_kind: number;
  protocol: string;
  user: string;
}

/** Records the keys a committed statement returned, daily and monthly. */
export function recordCommitted(
  tenant: string,
  rows: readonly RollupKeyRow[],
  committed: CommittedRollup,
): void {
  const days = rows.map((row) => ({ ...row, day: BigInt(row.day_micros) }));
  committed.daily.addAll(days.map((r) => rollupKey(tenant, r.day, r.user_kind, r.protocol, r.user)));
  committed.monthly.addAll(
    days.map((r) => rollupKey(tenant, utcMonthStartMicros(r.day), r.user_kind, r.protocol, r.user)),
  );
}
