import { expect } from "vitest";
import type { AuditLog } from "../../../src/auditlog/audit-log.js";
import { decodeCursor, type Cursor } from "../../../src/cursor/cursor.js";
import { formatEvent } from "../../../src/events/codec.js";
import type { OneOf } from "../../../src/gen/events/events.js";
import { DynamoAuditLog, type DynamoAuditLogOptions } from "../../../src/auditlog/dynamo/dynamo-audit-log.js";
import { newRegistry, type Registry } from "../../../src/observability/metrics.js";
import { seededRandom, type StreamSimulator } from "./stream-simulator.js";

export interface Delivered {
  uid: string;
  cursor: string;
}

export function uidOf(event: OneOf | undefined): string {
  if (!event) throw new Error("stream event without an event");
  const object = JSON.parse(formatEvent(event)) as { uid?: unknown };
  if (typeof object.uid !== "string") throw new Error("event without uid");
  return object.uid;
}

export function simulatedLog(
  sim: StreamSimulator,
  options: Partial<DynamoAuditLogOptions> = {},
): { log: DynamoAuditLog; registry: Registry } {
  const registry = options.registry ?? newRegistry();
  const log = new DynamoAuditLog({
    table: sim.table,
    client: sim,
    clock: sim.clock,
    random: seededRandom(7),
    maxStreams: 100,
    ...options,
    registry,
  });
  return { log, registry };
}

export interface CollectOptions {
  untilCaughtUp?: boolean;
  /** Follow mode: stop once this holds. */
  stopWhen?: (delivered: Delivered[]) => boolean;
  /** Follow mode: give up (abort) once the virtual clock passes this. */
  deadline?: number;
  /** Called after each event (e.g. to stall the consumer); the next event is taken once it settles. */
  onEvent?: (delivered: Delivered[]) => void | Promise<void>;
}

/** Reads a stream to its end (until-caught-up) or until `stopWhen`/`deadline` (follow). */
export async function collect(
  log: AuditLog,
  sim: StreamSimulator,
  cursor: Cursor | string,
  options: CollectOptions = {},
): Promise<Delivered[]> {
  const controller = new AbortController();
  if (options.deadline !== undefined) sim.clock.at(options.deadline, () => controller.abort());
  const delivered: Delivered[] = [];
  const start = typeof cursor === "string" ? decodeCursor(cursor) : cursor;
  for await (const item of log.streamEvents(start, {
    signal: controller.signal,
    untilCaughtUp: options.untilCaughtUp ?? false,
  })) {
    delivered.push({ uid: uidOf(item.event), cursor: item.cursor });
    await options.onEvent?.(delivered);
    if (options.stopWhen?.(delivered)) controller.abort();
  }
  return delivered;
}

/** Each shard's events in sequence order; every ancestor's events before any of a shard's own. */
export function expectShardOrder(uids: readonly string[], sim: StreamSimulator): void {
  const where = sim.eventLocations();
  const lastSeq = new Map<string, bigint>();
  const firstIndex = new Map<string, number>();
  const lastIndex = new Map<string, number>();
  uids.forEach((uid, index) => {
    const location = where.get(uid);
    expect(location, `unknown event ${uid}`).toBeDefined();
    if (!location) return;
    const previous = lastSeq.get(location.shard);
    if (previous !== undefined)
      expect(location.seq > previous, `${uid} out of order in its shard`).toBe(true);
    lastSeq.set(location.shard, location.seq);
    if (!firstIndex.has(location.shard)) firstIndex.set(location.shard, index);
    lastIndex.set(location.shard, index);
  });
  for (const [shard, first] of firstIndex) {
    for (let parent = sim.parentOf(shard); parent !== undefined; parent = sim.parentOf(parent)) {
      const parentLast = lastIndex.get(parent);
      if (parentLast !== undefined) {
        expect(parentLast < first, `shard ${parent}'s events must precede its descendant ${shard}'s`).toBe(
          true,
        );
      }
    }
  }
}

/** No loss, no duplicate: the uids delivered are exactly `expected`, each once. */
export function expectExactly(uids: readonly string[], expected: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const uid of uids) counts.set(uid, (counts.get(uid) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([uid]) => uid);
  expect(duplicates, "duplicates").toEqual([]);
  expect([...uids].sort(), "delivered set").toEqual([...expected].sort());
}

/** The delivered events are exactly `expected`, each shard's in order and after its ancestors'. */
export function expectDeliveredInShardOrder(
  delivered: readonly Delivered[],
  expected: readonly string[],
  sim: StreamSimulator,
): void {
  const uids = delivered.map((d) => d.uid);
  expectExactly(uids, expected);
  expectShardOrder(uids, sim);
}

/**
 * Resuming from each delivered cursor yields exactly the events after it (as a set, in shard order):
 * the property every cursor must have.
 */
export async function expectEveryCursorResumes(
  log: DynamoAuditLog,
  sim: StreamSimulator,
  delivered: readonly Delivered[],
): Promise<void> {
  for (let i = 0; i < delivered.length; i++) {
    const rest = await collect(log, sim, (delivered[i] as Delivered).cursor, { untilCaughtUp: true });
    const uids = rest.map((d) => d.uid);
    expectExactly(
      uids,
      delivered.slice(i + 1).map((d) => d.uid),
    );
    expectShardOrder(uids, sim);
  }
}
