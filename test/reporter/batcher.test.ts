import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { SubmitEventsRequest, UserKind, type Event } from "../../src/gen/tenants/tenants.js";
import { Batcher, entryBytes, type Batch, type BatchLimits } from "../../src/reporter/batcher.js";

function event(id: string, padding = 0): Event {
  return {
    id: id + "x".repeat(padding),
    time: { seconds: 1_790_000_000n, nanos: 0 },
    type: "session.start",
    user: "ar7mM4IXBXuvpiTWrz/R46WyZpJvHAvt4Sy/0AO/0/s=",
    userKind: UserKind.USER_KIND_HUMAN,
    protocol: "ssh",
    cluster: "dMqWD+41xmUr6kp0dYp8/nAhbu3Vwu/QQKbgUhHMEAo=",
    sessionKind: "",
  };
}

const requestBytes = (events: Event[]): number => SubmitEventsRequest.encode({ events }).finish().length;
const ids = (batches: (Batch | undefined)[]): string[][] =>
  batches.map((b) => b?.events.map((e) => e.id) ?? []);
const roomy: BatchLimits = { maxEvents: 3, maxBytes: 1 << 20, hardLimitBytes: 4 << 20 };

describe("Batcher", () => {
  it("closes a batch when it reaches maxEvents, with the cursor of its last event", () => {
    const b = new Batcher(roomy, "c0");
    expect(b.add(event("a"), "c1", 0)).toEqual([]);
    expect(b.add(event("b"), "c2", 1)).toEqual([]);
    const [batch] = b.add(event("c"), "c3", 2);
    expect(ids([batch])).toEqual([["a", "b", "c"]]);
    expect(batch?.cursor).toBe("c3");
    expect(b.pendingEvents).toBe(0);
    expect(b.flush()).toBeUndefined();
  });

  it("carries filtered-out events' cursors in the batch that follows them", () => {
    const b = new Batcher(roomy, "c0");
    b.add(event("a"), "c1", 0);
    b.skip("c2");
    b.skip("c3");
    expect(b.position).toBe("c3");
    expect(b.flush()?.cursor).toBe("c3");
  });

  it("keeps the last checkpoint as its position when events carry no cursor", () => {
    const b = new Batcher(roomy, "c0");
    b.add(event("a"), "", 0);
    b.skip("");
    expect(b.position).toBe("c0");
    b.add(event("b"), "c2", 1);
    const [closed] = b.add(event("c"), "", 2);
    expect(ids([closed])).toEqual([["a", "b", "c"]]);
    expect(closed?.cursor).toBe("c2");
    b.skip("c4");
    expect(b.position).toBe("c4");
  });

  it("reports when the open batch got its first event", () => {
    const b = new Batcher(roomy, "");
    expect(b.openedAt).toBeUndefined();
    b.skip("c1");
    expect(b.openedAt).toBeUndefined();
    b.add(event("a"), "c2", 42);
    b.add(event("b"), "c3", 50);
    expect(b.openedAt).toBe(42);
    b.flush();
    expect(b.openedAt).toBeUndefined();
  });

  it("counts bytes exactly as the request encodes", () => {
    const b = new Batcher(roomy, "");
    const events = [event("a"), event("b", 200), event("c", 20_000)];
    let last: Batch[] = [];
    for (const [i, e] of events.entries()) last = b.add(e, `c${i}`, i);
    expect(last[0]?.bytes).toBe(requestBytes(events));
    expect(entryBytes(event("b", 200)) + entryBytes(event("a"))).toBe(
      requestBytes([event("a"), event("b", 200)]),
    );
  });

  it("closes the open batch before an event that would take it past maxBytes", () => {
    const size = entryBytes(event("a"));
    const b = new Batcher({ maxEvents: 100, maxBytes: size * 2 + 1, hardLimitBytes: 1 << 20 }, "c0");
    b.add(event("a"), "c1", 0);
    b.add(event("b"), "c2", 0);
    b.skip("c3");
    const closed = b.add(event("c"), "c4", 0);
    expect(ids(closed)).toEqual([["a", "b"]]);
    expect(closed[0]?.cursor).toBe("c3");
    expect(ids([b.flush()])).toEqual([["c"]]);
  });

  it("sends an event bigger than maxBytes alone, without holding back the others", () => {
    const b = new Batcher({ maxEvents: 100, maxBytes: 1000, hardLimitBytes: 1 << 20 }, "c0");
    b.add(event("a"), "c1", 0);
    const closed = b.add(event("big", 5000), "c2", 0);
    expect(ids(closed)).toEqual([["a"], ["big" + "x".repeat(5000)]]);
    expect(closed.map((c) => c.cursor)).toEqual(["c1", "c2"]);
    b.add(event("b"), "c3", 0);
    expect(ids([b.flush()])).toEqual([["b"]]);
  });

  it("refuses an event that alone exceeds the hard limit, leaving the batch as it was", () => {
    const b = new Batcher({ maxEvents: 100, maxBytes: 1000, hardLimitBytes: 4000 }, "c0");
    b.add(event("a"), "c1", 0);
    expect(() => b.add(event("huge", 5000), "c2", 0)).toThrow(InvalidArgumentError);
    expect(() => b.add(event("huge", 5000), "c2", 0)).toThrow(/over the 4000-byte message limit/);
    expect(b.position).toBe("c1");
    b.skip("c2");
    expect(ids([b.flush()])).toEqual([["a"]]);
  });

  it("keeps every event, in order, within the limits, with cursors covering what was consumed", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), padding: fc.oneof(fc.nat(50), fc.nat(3000)) }),
      fc.record({ kind: fc.constant("skip" as const) }),
      fc.record({ kind: fc.constant("flush" as const) }),
    );
    const limits = fc.record({
      maxEvents: fc.integer({ min: 1, max: 10 }),
      maxBytes: fc.integer({ min: 50, max: 5000 }),
    });
    fc.assert(
      fc.property(limits, fc.array(op, { maxLength: 60 }), ({ maxEvents, maxBytes }, ops) => {
        const b = new Batcher({ maxEvents, maxBytes, hardLimitBytes: 1 << 20 }, "c-1");
        const batches: Batch[] = [];
        const added: string[] = [];
        const cursorOf = new Map<string, number>();
        ops.forEach((o, i) => {
          if (o.kind === "add") {
            const id = `e${i}`;
            added.push(id);
            cursorOf.set(id, i);
            batches.push(...b.add(event(id, o.padding), `c${i}`, i));
          } else if (o.kind === "skip") {
            b.skip(`c${i}`);
          } else {
            const batch = b.flush();
            if (batch) batches.push(batch);
          }
        });
        const last = b.flush();
        if (last) batches.push(last);

        expect(batches.flatMap((x) => x.events.map((e) => e.id.replace(/x*$/, "")))).toEqual(added);
        const lastConsumed = ops.findLastIndex((o) => o.kind !== "flush");
        expect(b.position).toBe(`c${lastConsumed}`);
        batches.forEach((batch, k) => {
          expect(batch.events.length).toBeGreaterThan(0);
          expect(batch.events.length).toBeLessThanOrEqual(maxEvents);
          expect(batch.bytes).toBe(requestBytes(batch.events));
          if (batch.events.length > 1) expect(batch.bytes).toBeLessThanOrEqual(maxBytes);
          const at = Number(batch.cursor.slice(1));
          const lastEvent = batch.events.at(-1)?.id.replace(/x*$/, "") ?? "";
          expect(at).toBeGreaterThanOrEqual(cursorOf.get(lastEvent) ?? Infinity);
          const next = batches[k + 1]?.events[0]?.id.replace(/x*$/, "");
          if (next !== undefined) expect(at).toBeLessThan(cursorOf.get(next) ?? -Infinity);
        });
      }),
    );
  });
});
