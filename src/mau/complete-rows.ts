import { daysBetween, formatDay, formatMonth, monthsOf } from "./calendar.js";
import type { CheckedActivity, CheckedMonthly, CheckedRolling } from "./usage-query.js";
import { PROTOCOLS } from "../events/protocol.js";
import type { MauRow, RollingMauRow, UserKindName } from "./usage-rows.js";

/**
 * Turns the sparse rows a query returns (groups with activity only) into the complete grid a report
 * shows: every tenant of the answer (and the one asked for) × every month or day × each user kind asked
 * for (× every protocol), zero where nobody was active. Ordered by tenant, time, kind (human first),
 * protocol (all first, then PROTOCOLS order, then any other stored protocol alphabetically).
 */

function kinds(query: CheckedActivity): UserKindName[] {
  return query.includeBots ? ["human", "bot"] : ["human"];
}

function tenants(query: CheckedActivity, rows: readonly { tenant: string }[]): string[] {
  const set = new Set(rows.map((r) => r.tenant));
  if (query.tenant !== undefined) set.add(query.tenant);
  return [...set].sort();
}

export function completeMonthly(query: CheckedMonthly, rows: readonly MauRow[]): MauRow[] {
  const key = (tenant: string, month: string, kind: string, protocol: string | null) =>
    JSON.stringify([tenant, month, kind, protocol]);
  const found = new Map(rows.map((r) => [key(r.tenant, r.month, r.user_kind, r.protocol), r.mau]));
  const known = new Set<string>(PROTOCOLS);
  const others = [
    ...new Set(rows.flatMap((r) => (r.protocol === null || known.has(r.protocol) ? [] : [r.protocol]))),
  ];
  const protocols: (string | null)[] = [null, ...PROTOCOLS, ...others.sort()];
  const out: MauRow[] = [];
  for (const tenant of tenants(query, rows)) {
    for (const month of monthsOf(query.months).map(formatMonth)) {
      for (const kind of kinds(query)) {
        for (const protocol of protocols) {
          const mau = found.get(key(tenant, month, kind, protocol)) ?? 0;
          out.push({ tenant, month, user_kind: kind, protocol, mau });
        }
      }
    }
  }
  return out;
}

export function completeRolling(query: CheckedRolling, rows: readonly RollingMauRow[]): RollingMauRow[] {
  const key = (tenant: string, day: string, kind: string) => JSON.stringify([tenant, day, kind]);
  const found = new Map(rows.map((r) => [key(r.tenant, r.day, r.user_kind), r.mau]));
  const out: RollingMauRow[] = [];
  for (const tenant of tenants(query, rows)) {
    for (const day of daysBetween(query.from, query.to).map(formatDay)) {
      for (const kind of kinds(query)) {
        const mau = found.get(key(tenant, day, kind)) ?? 0;
        out.push({ tenant, day, user_kind: kind, window_days: query.windowDays, mau });
      }
    }
  }
  return out;
}
