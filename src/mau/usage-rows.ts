import type { UsageCount } from "../activity/usage-report-rules.js";

/** How reports name tenants.UserKind: bots are USER_KIND_BOT, everyone else counts as human. */
export type UserKindName = "human" | "bot";

/** Monthly active users of one tenant, month and user kind; `protocol` null means all protocols. */
export interface MauRow {
  tenant: string;
  /** "YYYY-MM", UTC. */
  month: string;
  user_kind: UserKindName;
  protocol: string | null;
  mau: number;
}

/** Distinct active users in the `window_days` days ending with `day` (included), all protocols. */
export interface RollingMauRow {
  tenant: string;
  /** "YYYY-MM-DD", UTC. */
  day: string;
  user_kind: UserKindName;
  window_days: number;
  mau: number;
}

/** The latest resource counts one cluster of a tenant reported. `cluster` is anonymized ("" if unnamed). */
export type UsageReportRow = {
  tenant: string;
  cluster: string;
  /** RFC 3339, the report's time. */
  time: string;
} & Record<UsageCount, bigint>;
