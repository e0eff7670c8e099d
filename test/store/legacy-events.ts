import { Prng } from "../../src/generate/prng.js";
import { DAY_MS } from "../../src/mau/calendar.js";

/**
 * Events as a SQL sink stored them before the daily activity rollup existed (schema version 1), for the
 * backfill and retention tests: rows to insert straight into `events`, and the rollup they imply,
 * worked out here without SQL.
 */
export interface LegacyEvent {
  tenant: string;
  id: string;
  timeMs: number;
  user: string;
  userKind: number;
  protocol: string;
}

const TENANTS = ["acme", "beta"];
const PROTOCOLS = ["ssh", "kube", "db", "app", ""];
const USERS = ["alice", "bob", "carol", "dave", "erin", ""];

/**
 * `perDay` events a day (on average) for `days` UTC days from `firstDay` (epoch ms of a day start):
 * times anywhere in the day, a fifth of them within a second of midnight on either side, some without a
 * user, some bots, a few exact re-sends of an earlier event's fields under a new id.
 */
export function legacyEvents(
  firstDay: number,
  days: number,
  perDay: number,
  seed = 7,
  idPrefix = "e",
): LegacyEvent[] {
  const prng = new Prng(seed);
  const pick = <T>(items: readonly T[]): T => items[prng.uint32() % items.length] as T;
  const events: LegacyEvent[] = [];
  for (let day = 0; day < days; day++) {
    const start = firstDay + day * DAY_MS;
    const count = Math.max(1, Math.round(perDay * (0.5 + prng.float())));
    for (let i = 0; i < count; i++) {
      const nearMidnight = prng.uint32() % 5 === 0;
      const offset = nearMidnight
        ? (prng.uint32() % 2 === 0 ? 0 : DAY_MS - 1) +
          (prng.uint32() % 1000) * (prng.uint32() % 2 === 0 ? 1 : -1)
        : prng.uint32() % DAY_MS;
      const timeMs = Math.min(Math.max(start + offset, firstDay), firstDay + days * DAY_MS - 1);
      const earlier =
        events.length > 0 && prng.uint32() % 10 === 0 ? events[prng.uint32() % events.length] : undefined;
      events.push({
        tenant: earlier?.tenant ?? pick(TENANTS),
        id: `${idPrefix}${events.length}`,
        timeMs: earlier?.timeMs ?? timeMs,
        user: earlier?.user ?? pick(USERS),
        userKind: earlier?.userKind ?? (prng.uint32() % 6 === 0 ? 2 : 1),
        protocol: earlier?.protocol ?? pick(PROTOCOLS),
      });
    }
  }
  return events;
}

/** The UTC day start of an instant, in epoch ms. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** The UTC month start of an instant, in epoch ms. */
export function utcMonth(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/**
 * The rollup the events imply at a grain (default the day; `utcMonth` for the monthly rollup):
 * "tenant|period start ms|user kind|protocol|user" keys, sorted.
 */
export function expectedRollup(
  events: readonly LegacyEvent[],
  grain: (ms: number) => number = utcDay,
): string[] {
  const keys = new Set(
    events
      .filter((e) => e.user !== "")
      .map((e) => rollupKey(e.tenant, grain(e.timeMs), e.userKind, e.protocol, e.user)),
  );
  return [...keys].sort();
}

export function rollupKey(
  tenant: string,
  dayMs: number,
  userKind: number,
  protocol: string,
  user: string,
): string {
  return `${tenant}|${dayMs}|${userKind}|${protocol}|${user}`;
}

/** `INSERT INTO events …` of the events with literal values (ids and fields are plain ASCII here). */
export function insertEventsSql(events: readonly LegacyEvent[]): string {
  const values = events.map(
    (e) =>
      `('${e.tenant}', '${e.id}', '${new Date(e.timeMs).toISOString()}', 'session.start', '${e.user}', ` +
      `${e.userKind}, '${e.protocol}', 'cluster', '', '${new Date(e.timeMs).toISOString()}')`,
  );
  return (
    `INSERT INTO events (tenant, id, time, type, "user", user_kind, protocol, cluster, session_kind, ` +
    `received_at) VALUES ${values.join(",\n")}`
  );
}
