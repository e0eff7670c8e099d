import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PageWindow, type WindowPage } from "../../../src/auditlog/dynamo/page-window.js";
import { TRIM_HORIZON } from "../../../src/auditlog/dynamo/resume-plan.js";
import { afterKey, positionKey, type ShardPosition } from "../../../src/auditlog/dynamo/shard-position.js";
import type { StreamRecord } from "../../../src/auditlog/dynamo/streams-client.js";

const seq = (n: number) => String(100000000000000000000n + BigInt(n));
const after = (n: number): ShardPosition => ({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: seq(n) });
const record = (n: number): StreamRecord => ({ eventName: "INSERT", sequenceNumber: seq(n) });
const numbers = (page: WindowPage | undefined) =>
  page?.records.map((r) => Number(BigInt(r.sequenceNumber) - 100000000000000000000n));

let fetches = 0;
/** A page of records first..last (inclusive) read after `from`; empty when last < first. */
function page(from: ShardPosition, first: number, last: number, finished = false): WindowPage {
  const records: StreamRecord[] = [];
  for (let n = first; n <= last; n++) records.push(record(n));
  return { from, records, next: last >= first ? after(last) : from, finished, fetch: ++fetches };
}

describe("positionKey", () => {
  it.each<[ShardPosition, string]>([
    [TRIM_HORIZON, "trim_horizon"],
    [{ type: "LATEST" }, "latest"],
    [{ type: "OPENED_LATEST", reader: 3 }, "latest#3"],
    [{ type: "AT_SEQUENCE_NUMBER", sequenceNumber: seq(1) }, `at:${seq(1)}`],
    [after(1), afterKey(seq(1))],
  ])("%j → %s", (position, key) => {
    expect(positionKey(position)).toBe(key);
  });
});

describe("PageWindow", () => {
  it("serves a whole page read at a position, and the rest of a page after a record inside it", () => {
    const window = new PageWindow(3);
    window.append(page(TRIM_HORIZON, 1, 3));
    window.append(page(after(3), 4, 6));
    expect(numbers(window.lookup("trim_horizon", 0))).toEqual([1, 2, 3]);
    expect(numbers(window.lookup(afterKey(seq(1)), 0))).toEqual([2, 3]);
    expect(numbers(window.lookup(afterKey(seq(3)), 0))).toEqual([4, 5, 6]);
    expect(numbers(window.lookup(afterKey(seq(5)), 0))).toEqual([6]);
    expect(window.lookup(afterKey(seq(6)), 0), "the head: not held yet").toBeUndefined();
    expect(window.lookup(afterKey(seq(99)), 0)).toBeUndefined();
    expect(window.lookup("latest", 0)).toBeUndefined();
    expect(window.recordCount).toBe(6);
  });

  it("drops the oldest page past its limit", () => {
    const window = new PageWindow(2);
    window.append(page(TRIM_HORIZON, 1, 2));
    window.append(page(after(2), 3, 4));
    window.append(page(after(4), 5, 6));
    expect(window.size).toBe(2);
    expect(window.recordCount).toBe(4);
    expect(window.lookup("trim_horizon", 0)).toBeUndefined();
    expect(window.lookup(afterKey(seq(1)), 0)).toBeUndefined();
    expect(numbers(window.lookup(afterKey(seq(2)), 0))).toEqual([3, 4]);
  });

  it("gives an empty poll only to callers that have not seen it, and keeps only the newest one", () => {
    const window = new PageWindow(2);
    window.append(page(TRIM_HORIZON, 1, 2));
    const first = page(after(2), 1, 0);
    window.append(first);
    expect(window.atHead()).toBe(true);
    expect(window.lookup(afterKey(seq(2)), 0)).toBe(first);
    expect(window.lookup(afterKey(seq(2)), first.fetch)).toBeUndefined();
    const second = page(after(2), 1, 0);
    window.append(second);
    expect(window.size).toBe(2);
    expect(window.lookup(afterKey(seq(2)), first.fetch)).toBe(second);
    window.append(page(after(2), 3, 3));
    expect(window.atHead()).toBe(false);
    expect(numbers(window.lookup(afterKey(seq(2)), Infinity))).toEqual([3]);
    expect(numbers(window.lookup("trim_horizon", 0)), "empty polls do not push pages out").toEqual([1, 2]);
  });

  it("a finished shard's end is served to everyone, also just after its last record", () => {
    const window = new PageWindow(2);
    window.append(page(TRIM_HORIZON, 1, 2, true));
    expect(window.lookup("trim_horizon", 0)?.finished).toBe(true);
    const end = window.lookup(afterKey(seq(2)), Infinity);
    expect(end?.records).toEqual([]);
    expect(end?.finished).toBe(true);
    expect(window.lookup(afterKey(seq(1)), Infinity)?.finished).toBe(true);
  });

  it("holds nothing after clear", () => {
    const window = new PageWindow(2);
    window.append(page(TRIM_HORIZON, 1, 2));
    window.clear();
    expect(window.size).toBe(0);
    expect(window.recordCount).toBe(0);
    expect(window.lookup("trim_horizon", 0)).toBeUndefined();
  });

  it("refuses a window of no pages", () => {
    expect(() => new PageWindow(0)).toThrow(RangeError);
  });

  it("from any held position, following lookups yields exactly the records after it, in order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        (sizes, limit, pick) => {
          const window = new PageWindow(limit);
          let from: ShardPosition = TRIM_HORIZON;
          let next = 1;
          for (const size of sizes) {
            const p = page(from, next, next + size - 1);
            window.append(p);
            from = p.next;
            next += size;
          }
          const last = next - 1;
          expect(window.size).toBeLessThanOrEqual(limit);
          const held = [...Array(last).keys()]
            .map((i) => i + 1)
            .filter((n) => window.lookup(afterKey(seq(n)), 0));
          if (held.length === 0) return;
          const start = held[pick % held.length] as number;
          const got: number[] = [];
          let key = afterKey(seq(start));
          for (let found = window.lookup(key, Infinity); found; found = window.lookup(key, Infinity)) {
            got.push(...(numbers(found) ?? []));
            if (found.records.length === 0) break;
            key = positionKey(found.next);
          }
          expect(got).toEqual([...Array(last - start).keys()].map((i) => start + 1 + i));
        },
      ),
    );
  });
});
