import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventHeap } from "../../src/generate/event-heap.js";

describe("EventHeap", () => {
  it("pops by time, ties in insertion order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const heap = new EventHeap();
        times.forEach((time, i) => heap.push(time, String(i)));
        const out: string[] = [];
        while (heap.size > 0) out.push(heap.pop() as string);
        const expected = times
          .map((time, i) => ({ time, i }))
          .sort((a, b) => a.time - b.time || a.i - b.i)
          .map(({ i }) => String(i));
        expect(out).toEqual(expected);
      }),
    );
  });

  it("interleaves pushes and pops", () => {
    const heap = new EventHeap();
    heap.push(5, "a");
    heap.push(1, "b");
    expect(heap.peekTime()).toBe(1);
    expect(heap.pop()).toBe("b");
    heap.push(3, "c");
    heap.push(5, "d");
    expect([heap.pop(), heap.pop(), heap.pop()]).toEqual(["c", "a", "d"]);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peekTime()).toBe(Infinity);
  });
});
