import { InternalError } from "../../errors/errors.js";
import { USAGE_COUNTS, type UsageCount } from "../../activity/usage-report-rules.js";
import { dayOf, formatDay, formatMonth, monthOf } from "../calendar.js";
import type { MauRow, RollingMauRow, UsageReportRow, UserKindName } from "../usage-rows.js";
import type { ResultColumn, SqlValue } from "../dialect.js";
import { LATEST_USAGE_COLUMNS, MONTHLY_MAU_COLUMNS, ROLLING_MAU_COLUMNS } from "./metrics.js";

/**
 * Engine results (rows of SqlValue in a metric's column order) → report rows. An engine adapter has
 * already checked names and types against the metric's columns; these checks catch what slips through.
 */

function reader(columns: readonly ResultColumn[], row: readonly SqlValue[]) {
  const at = (name: string): SqlValue => {
    const index = columns.findIndex((c) => c.name === name);
    if (index < 0 || index >= row.length) throw new InternalError(`usage query result has no column ${name}`);
    return row[index] ?? null;
  };
  return {
    text(name: string): string {
      const value = at(name);
      // NULL reads as '': Timestream leaves empty dimensions out.
      if (value === null) return "";
      if (typeof value !== "string") throw new InternalError(`usage query column ${name} is not text`);
      return value;
    },
    int(name: string): bigint {
      const value = at(name);
      if (typeof value !== "bigint") throw new InternalError(`usage query column ${name} is not an integer`);
      return value;
    },
    count(name: string): number {
      const value = this.int(name);
      if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new InternalError(`usage query column ${name} is out of range`);
      }
      return Number(value);
    },
    kind(name: string): UserKindName {
      const value = this.text(name);
      if (value !== "human" && value !== "bot") throw new InternalError(`unexpected user kind ${value}`);
      return value;
    },
  };
}

export function monthlyRows(rows: readonly (readonly SqlValue[])[]): MauRow[] {
  return rows.map((row) => {
    const r = reader(MONTHLY_MAU_COLUMNS, row);
    const protocol = r.text("protocol");
    return {
      tenant: r.text("tenant"),
      month: formatMonth(monthOf(Number(r.int("month_ms")))),
      user_kind: r.kind("user_kind"),
      protocol: protocol === "" ? null : protocol,
      mau: r.count("mau"),
    };
  });
}

export function rollingRows(rows: readonly (readonly SqlValue[])[], windowDays: number): RollingMauRow[] {
  return rows.map((row) => {
    const r = reader(ROLLING_MAU_COLUMNS, row);
    return {
      tenant: r.text("tenant"),
      day: formatDay(dayOf(Number(r.int("day_ms")))),
      user_kind: r.kind("user_kind"),
      window_days: windowDays,
      mau: r.count("mau"),
    };
  });
}

export function usageRows(rows: readonly (readonly SqlValue[])[]): UsageReportRow[] {
  return rows.map((row) => {
    const r = reader(LATEST_USAGE_COLUMNS, row);
    const counts = Object.fromEntries(USAGE_COUNTS.map((name) => [name, r.int(name)])) as Record<
      UsageCount,
      bigint
    >;
    return {
      tenant: r.text("tenant"),
      cluster: r.text("cluster"),
      time: new Date(Number(r.int("time_ms"))).toISOString(),
      ...counts,
    };
  });
}
