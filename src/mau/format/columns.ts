import { USAGE_COUNTS } from "../../activity/usage-report-rules.js";
import type { MauRow, RollingMauRow, UsageReportRow } from "../usage-rows.js";

export type CellValue = string | number | bigint | null;

/** One output column: its name (JSON key, CSV and table header) and how a row fills it. */
export interface Column<T> {
  name: string;
  value(row: T): CellValue;
  /** What the aligned table shows for null; default "". */
  nullText?: string;
}

export const MAU_COLUMNS: readonly Column<MauRow>[] = [
  { name: "tenant", value: (r) => r.tenant },
  { name: "month", value: (r) => r.month },
  { name: "user_kind", value: (r) => r.user_kind },
  { name: "protocol", value: (r) => r.protocol, nullText: "(all)" },
  { name: "mau", value: (r) => r.mau },
];

export const ROLLING_COLUMNS: readonly Column<RollingMauRow>[] = [
  { name: "tenant", value: (r) => r.tenant },
  { name: "day", value: (r) => r.day },
  { name: "user_kind", value: (r) => r.user_kind },
  { name: "window_days", value: (r) => r.window_days },
  { name: "mau", value: (r) => r.mau },
];

export const USAGE_COLUMNS: readonly Column<UsageReportRow>[] = [
  { name: "tenant", value: (r) => r.tenant },
  { name: "cluster", value: (r) => r.cluster },
  { name: "time", value: (r) => r.time },
  ...USAGE_COUNTS.map((name): Column<UsageReportRow> => ({ name, value: (r) => r[name] })),
];
