import type { Event } from "../../../src/gen/tenants/tenants.js";
import { UserKind } from "../../../src/gen/tenants/tenants.js";
import { DAY_MS, dayOf, daysBetween, formatDay, formatMonth, monthOf } from "../../../src/mau/calendar.js";
import type { MauRow, RollingMauRow, UserKindName } from "../../../src/mau/usage-rows.js";

/**
 * The product's MAU rule computed the slow, obvious way over stored records, to check the SQL against:
 * sets of users per group, no SQL, no shared code besides the calendar helpers.
 */

export interface StoredRecord {
  tenant: string;
  timeMs: number;
  user: string;
  kind: UserKindName;
  protocol: string;
}

export function storedRecords(byTenant: ReadonlyMap<string, readonly Event[]>): StoredRecord[] {
  return [...byTenant].flatMap(([tenant, events]) =>
    events.map((e) => ({
      tenant,
      timeMs: Number(e.time?.seconds ?? 0n) * 1000 + Math.floor((e.time?.nanos ?? 0) / 1e6),
      user: e.user,
      kind: e.userKind === UserKind.USER_KIND_BOT ? ("bot" as const) : ("human" as const),
      protocol: e.protocol,
    })),
  );
}

/** Non-zero monthly rows, any order. */
export function referenceMonthly(records: readonly StoredRecord[], includeBots: boolean): MauRow[] {
  const groups = new Map<string, Set<string>>();
  const add = (key: unknown[], user: string) => {
    const k = JSON.stringify(key);
    groups.set(k, (groups.get(k) ?? new Set()).add(user));
  };
  for (const r of records) {
    if (r.user === "" || (r.kind === "bot" && !includeBots)) continue;
    const month = formatMonth(monthOf(r.timeMs));
    add([r.tenant, month, r.kind, null], r.user);
    if (r.protocol !== "") add([r.tenant, month, r.kind, r.protocol], r.user);
  }
  return [...groups].map(([k, users]) => {
    const [tenant, month, kind, protocol] = JSON.parse(k) as [string, string, UserKindName, string | null];
    return { tenant, month, user_kind: kind, protocol, mau: users.size };
  });
}

/** Non-zero rolling rows for the days from..to, any order. */
export function referenceRolling(
  records: readonly StoredRecord[],
  from: number,
  to: number,
  windowDays: number,
  includeBots: boolean,
): RollingMauRow[] {
  const rows: RollingMauRow[] = [];
  for (const day of daysBetween(from, to)) {
    const groups = new Map<string, Set<string>>();
    for (const r of records) {
      if (r.user === "" || (r.kind === "bot" && !includeBots)) continue;
      const active = dayOf(r.timeMs);
      if (active > day || active < day - (windowDays - 1) * DAY_MS) continue;
      const k = JSON.stringify([r.tenant, r.kind]);
      groups.set(k, (groups.get(k) ?? new Set()).add(r.user));
    }
    for (const [k, users] of groups) {
      const [tenant, kind] = JSON.parse(k) as [string, UserKindName];
      rows.push({ tenant, day: formatDay(day), user_kind: kind, window_days: windowDays, mau: users.size });
    }
  }
  return rows;
}
