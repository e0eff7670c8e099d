import { USAGE_COUNTS } from "../../activity/usage-report-rules.js";
import { DAY_MS, monthEnd, monthStart } from "../calendar.js";
import type { CheckedActivity, CheckedLatestUsage, CheckedMonthly, CheckedRolling } from "../usage-query.js";
import {
  type Binder,
  type Dialect,
  quoteIdentifier,
  type RenderedQuery,
  type ResultColumn,
  type Source,
} from "../dialect.js";

/**
 * The metrics, each defined once and rendered for any Dialect. They implement the product's rule for
 * MAU on stored activity records (the reporter already dropped events that make nobody active):
 *
 * - MAU of a calendar month (UTC) = distinct non-empty users with an event in the month;
 * - MAU per protocol = distinct users with at least one event of that protocol in the month; protocol
 *   '' counts in MAU only;
 * - rolling MAU for a day = distinct users with an event in the `windowDays` days ending with that day;
 * - all per tenant; bots (user_kind 2) only when asked, and then as their own rows.
 *
 * Rows come back sparse (only groups with activity) and ordered; completing them is complete-rows.ts.
 */

const USER = quoteIdentifier("user");

/**
 * Which activity a MAU metric reads: "rollup" (the default) the dialect's coarsest activity rollup whose
 * grain divides the metric's periods, or its raw events where it keeps none; "events" the raw events
 * always (the definition the rollups are checked against).
 */
export type ActivityRelation = "rollup" | "events";

function activitySource(dialect: Dialect, relation: ActivityRelation, grain: "day" | "month"): Source {
  if (relation === "events") return dialect.events;
  return (grain === "month" ? dialect.monthlyActivity : undefined) ?? dialect.dailyActivity ?? dialect.events;
}

/** Conditions selecting the activity a query counts, between two instants. */
function activityConditions(
  dialect: Dialect,
  source: Source,
  binder: Binder,
  query: CheckedActivity,
  from: Date,
  until: Date,
): string[] {
  return [
    source.where,
    `time >= ${dialect.instant(from, binder)}`,
    `time < ${dialect.instant(until, binder)}`,
    `coalesce(${USER}, '') <> ''`,
    ...(query.includeBots ? [] : [`NOT (${dialect.isBot})`]),
    ...(query.tenant === undefined ? [] : [`tenant = ${binder.text(query.tenant)}`]),
  ];
}

/** The user_kind label ('bot' or 'human') of a row for which the SQL condition `isBot` holds or not. */
function userKind(isBot: string): string {
  return `CASE WHEN ${isBot} THEN 'bot' ELSE 'human' END`;
}

export const MONTHLY_MAU_COLUMNS: readonly ResultColumn[] = [
  { name: "tenant", type: "varchar" },
  { name: "month_ms", type: "bigint" },
  { name: "user_kind", type: "varchar" },
  { name: "protocol", type: "varchar" },
  { name: "mau", type: "bigint" },
];

/**
 * tenant, month_ms (month start), user_kind, protocol ('' = all protocols), mau.
 *
 * `active` holds each (tenant, month, bot flag, protocol, user) once: one hash aggregation over the events
 * shrinks them to a row per user and protocol before either count, so the two aggregations below read a
 * few rows per user instead of every event twice. Its rows being distinct, a protocol's MAU is a plain
 * count; MAU over all protocols still counts distinct users, who may have several protocols. The bot flag
 * stays a boolean until the output, a cheaper grouping key than the label.
 */
export function monthlyMauSql(
  dialect: Dialect,
  query: CheckedMonthly,
  relation: ActivityRelation = "rollup",
): RenderedQuery {
  const binder = dialect.binder();
  const source = activitySource(dialect, relation, "month");
  const where = activityConditions(
    dialect,
    source,
    binder,
    query,
    monthStart(query.months.from),
    monthEnd(query.months.to),
  );
  const month = dialect.epochMillis("month");
  const kind = userKind("bot");
  const sql = `WITH active AS (
  SELECT DISTINCT tenant, ${dialect.isBot} AS bot, ${dialect.protocol} AS proto, ${USER},
    date_trunc('month', ${dialect.utcTime}) AS month
  FROM ${source.from}
  WHERE ${where.join("\n    AND ")}
)
SELECT tenant, ${month} AS month_ms, ${kind} AS user_kind, '' AS protocol, count(DISTINCT ${USER}) AS mau
FROM active
GROUP BY tenant, month, bot
UNION ALL
SELECT tenant, ${month} AS month_ms, ${kind} AS user_kind, proto AS protocol, count(*) AS mau
FROM active
WHERE proto <> ''
GROUP BY tenant, month, bot, proto
ORDER BY tenant, month_ms, user_kind, protocol`;
  return { sql, params: binder.params(), columns: MONTHLY_MAU_COLUMNS };
}

export const ROLLING_MAU_COLUMNS: readonly ResultColumn[] = [
  { name: "tenant", type: "varchar" },
  { name: "day_ms", type: "bigint" },
  { name: "user_kind", type: "varchar" },
  { name: "mau", type: "bigint" },
];

/**
 * tenant, day_ms, user_kind, mau for each calendar day with a non-zero count. Each user is reduced to
 * the days they were active, then each calendar day counts the users with an active day in its window.
 */
export function rollingMauSql(
  dialect: Dialect,
  query: CheckedRolling,
  relation: ActivityRelation = "rollup",
): RenderedQuery {
  const binder = dialect.binder();
  const source = activitySource(dialect, relation, "day");
  const lookBack = query.windowDays - 1;
  const where = activityConditions(
    dialect,
    source,
    binder,
    query,
    new Date(query.from - lookBack * DAY_MS),
    new Date(query.to + DAY_MS),
  );
  const sql = `WITH active_days AS (
  SELECT DISTINCT tenant, ${userKind(dialect.isBot)} AS kind, ${USER}, date_trunc('day', ${dialect.utcTime}) AS day
  FROM ${source.from}
  WHERE ${where.join("\n    AND ")}
)
SELECT active_days.tenant AS tenant, ${dialect.epochMillis("calendar.day")} AS day_ms,
  active_days.kind AS user_kind, count(DISTINCT active_days.${USER}) AS mau
FROM ${dialect.dayCalendar(query.from, query.to, binder)}
JOIN active_days
  ON active_days.day <= calendar.day AND active_days.day >= calendar.day - ${dialect.days(lookBack)}
GROUP BY active_days.tenant, calendar.day, active_days.kind
ORDER BY tenant, day_ms, user_kind`;
  return { sql, params: binder.params(), columns: ROLLING_MAU_COLUMNS };
}

export const LATEST_USAGE_COLUMNS: readonly ResultColumn[] = [
  { name: "tenant", type: "varchar" },
  { name: "cluster", type: "varchar" },
  { name: "time_ms", type: "bigint" },
  ...USAGE_COUNTS.map((name) => ({ name, type: "bigint" as const })),
];

/** The newest report of each (tenant, cluster) before the cut-off: tenant, cluster, time_ms, counts. */
export function latestUsageSql(dialect: Dialect, query: CheckedLatestUsage): RenderedQuery {
  const binder = dialect.binder();
  const counts = USAGE_COUNTS.map(quoteIdentifier).join(", ");
  const where = [
    dialect.usageReports.where,
    `time < ${dialect.instant(query.before, binder)}`,
    ...(query.tenant === undefined ? [] : [`tenant = ${binder.text(query.tenant)}`]),
  ];
  const sql = `SELECT tenant, cluster, time_ms, ${counts}
FROM (
  SELECT tenant, ${dialect.cluster} AS cluster, ${dialect.epochMillis(dialect.utcTime)} AS time_ms, ${counts},
    row_number() OVER (PARTITION BY tenant, ${dialect.cluster} ORDER BY time DESC) AS newest
  FROM ${dialect.usageReports.from}
  WHERE ${where.join("\n    AND ")}
) latest
WHERE newest = 1
ORDER BY tenant, cluster`;
  return { sql, params: binder.params(), columns: LATEST_USAGE_COLUMNS };
}
