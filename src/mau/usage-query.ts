import { InvalidArgumentError } from "../errors/errors.js";
import {
  DAY_MS,
  type Day,
  MAX_YEAR,
  MIN_YEAR,
  monthEnd,
  type MonthRange,
  monthRange,
  monthStart,
} from "./calendar.js";
import { validateTenantId } from "../activity/tenant-id.js";

/** Which activity a query counts. */
export interface ActivityFilter {
  /** One tenant, or every tenant when absent. Must match TENANT_ID_PATTERN. */
  tenant?: string;
  /** Count bots too, reported as their own rows (user_kind "bot"); default false: humans only. */
  includeBots?: boolean;
}

/** MAU and MAU per protocol for each month of a range. */
export interface MonthlyMauQuery extends ActivityFilter {
  months: MonthRange;
}

/** Rolling MAU: for each day from `from` to `to` (included), distinct users active in the window ending that day. */
export interface RollingMauQuery extends ActivityFilter {
  from: Day;
  to: Day;
  /** Window length in days, the day itself included; default 30. */
  windowDays?: number;
}

/** The latest usage report of each (tenant, cluster) strictly before `before`. */
export interface LatestUsageQuery {
  tenant?: string;
  before: Date;
}

export const DEFAULT_WINDOW_DAYS = 30;
/** Bounds keep the rendered calendar small (Timestream has no series generator the endpoint shares). */
export const MAX_WINDOW_DAYS = 366;
export const MAX_SERIES_DAYS = 3700;

/** A query with its defaults applied and every value checked; renderers accept only these. */
export interface CheckedActivity {
  tenant: string | undefined;
  includeBots: boolean;
}

export type CheckedMonthly = CheckedActivity & { months: MonthRange };
export type CheckedRolling = CheckedActivity & { from: Day; to: Day; windowDays: number };
export type CheckedLatestUsage = { tenant: string | undefined; before: Date };

function checkActivity(query: ActivityFilter): CheckedActivity {
  return {
    tenant: query.tenant === undefined ? undefined : validateTenantId(query.tenant),
    includeBots: query.includeBots ?? false,
  };
}

export function checkMonthly(query: MonthlyMauQuery): CheckedMonthly {
  return { ...checkActivity(query), months: monthRange(query.months.from, query.months.to) };
}

export function checkRolling(query: RollingMauQuery): CheckedRolling {
  const windowDays = query.windowDays ?? DEFAULT_WINDOW_DAYS;
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > MAX_WINDOW_DAYS) {
    throw new InvalidArgumentError(`the rolling window must be 1 to ${MAX_WINDOW_DAYS} days`);
  }
  for (const [what, day] of [
    ["from", query.from],
    ["to", query.to],
  ] as const) {
    if (!Number.isSafeInteger(day) || day % DAY_MS !== 0 || !isStorable(day)) {
      throw new InvalidArgumentError(
        `rolling series ${what} must be a UTC day start within ${MIN_YEAR}..${MAX_YEAR}`,
      );
    }
  }
  const days = (query.to - query.from) / DAY_MS + 1;
  if (days < 1) throw new InvalidArgumentError("the rolling series ends before it starts");
  if (days > MAX_SERIES_DAYS) {
    throw new InvalidArgumentError(`the rolling series may cover at most ${MAX_SERIES_DAYS} days`);
  }
  return { ...checkActivity(query), from: query.from, to: query.to, windowDays };
}

export function checkLatestUsage(query: LatestUsageQuery): CheckedLatestUsage {
  if (!isStorable(query.before.getTime())) {
    throw new InvalidArgumentError(`usage reports: the cut-off time must be within ${MIN_YEAR}..${MAX_YEAR}`);
  }
  return {
    tenant: query.tenant === undefined ? undefined : validateTenantId(query.tenant),
    before: query.before,
  };
}

/** The span of the years a query may name (MIN_YEAR..MAX_YEAR), the end bound included. */
function isStorable(ms: number): boolean {
  return (
    ms >= monthStart({ year: MIN_YEAR, month: 1 }).getTime() &&
    ms <= monthEnd({ year: MAX_YEAR, month: 12 }).getTime()
  );
}
