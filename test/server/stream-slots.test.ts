import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StreamSlots } from "../../src/server/stream-slots.js";

describe("StreamSlots", () => {
  it("lets one client use every slot while it is alone, then refuses it", () => {
    const slots = new StreamSlots<string>(3);
    expect(["a1", "a2", "a3"].map((s) => slots.admit("a", s).admitted)).toEqual([true, true, true]);
    expect(slots.admit("a", "a4")).toEqual({ admitted: false, limit: 3, share: 3 });
  });

  it("gives a newcomer a slot at the bound by ending the biggest holder's newest stream", () => {
    const slots = new StreamSlots<string>(4);
    for (const s of ["a1", "a2", "a3", "a4"]) slots.admit("a", s);

    expect(slots.admit("b", "b1")).toEqual({ admitted: true, preempted: "a4" });
    expect(slots.admit("b", "b2")).toEqual({ admitted: true, preempted: "a3" });
    // Two clients: a share of 2 each, which both now hold.
    expect(slots.admit("b", "b3")).toEqual({ admitted: false, limit: 4, share: 2 });
    expect(slots.admit("a", "a5")).toEqual({ admitted: false, limit: 4, share: 2 });
    // A third client: a share of 1, taken from the first biggest holder.
    expect(slots.admit("c", "c1")).toEqual({ admitted: true, preempted: "a2" });
    expect(slots.admit("d", "d1")).toEqual({ admitted: true, preempted: "b2" });
    // Everyone holds one slot, its share: a fifth client waits.
    expect(slots.admit("e", "e1")).toEqual({ admitted: false, limit: 4, share: undefined });
    expect(["a", "b", "c", "d"].map((c) => slots.held(c))).toEqual([1, 1, 1, 1]);
  });

  it("ignores the release of a stream that was preempted or already released", () => {
    const slots = new StreamSlots<string>(1);
    slots.admit("a", "a1");
    slots.admit("b", "b1");
    slots.release("a", "a1");
    slots.release("b", "b1");
    slots.release("b", "b1");
    expect(slots.active).toBe(0);
    expect(slots.admit("a", "a2").admitted).toBe(true);
  });

  it("never exceeds its bound, and admits a client below its fair share", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("admit" as const), client: fc.constantFrom("a", "b", "c", "d") }),
      fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
        const slots = new StreamSlots<number>(max);
        const live: { client: string; id: number }[] = [];
        ops.forEach((o, id) => {
          if (o.kind === "release") {
            const victim = live.splice(o.pick % Math.max(1, live.length), 1)[0];
            if (victim) slots.release(victim.client, victim.id);
            return;
          }
          const before = slots.active;
          const clients = new Set([...live.map((l) => l.client), o.client]).size;
          const share = Math.max(1, Math.floor(max / clients));
          const mine = slots.held(o.client);
          const result = slots.admit(o.client, id);
          if (result.admitted) {
            live.push({ client: o.client, id });
            if (result.preempted !== undefined) {
              expect(before).toBe(max);
              live.splice(
                live.findIndex((l) => l.id === result.preempted),
                1,
              );
            }
          } else {
            expect(before).toBe(max);
            const most = Math.max(...["a", "b", "c", "d"].map((c) => slots.held(c)));
            expect(mine >= share || most <= share).toBe(true);
          }
          expect(slots.active).toBeLessThanOrEqual(max);
          expect(slots.active).toBe(live.length);
          for (const c of ["a", "b", "c", "d"]) {
            expect(slots.held(c)).toBe(live.filter((l) => l.client === c).length);
          }
        });
      }),
    );
  });
});
