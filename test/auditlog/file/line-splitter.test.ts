import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineSplitter, type SplitItem } from "../../../src/auditlog/file/line-splitter.js";

const bytes = (s: string): Uint8Array => Buffer.from(s, "utf8");

function describeItems(items: readonly SplitItem[]): string[] {
  return items.map((i) =>
    i.kind === "line"
      ? `${Buffer.from(i.bytes).toString("utf8")}@${i.start}-${i.end}`
      : `oversized@${i.start}-${i.end}`,
  );
}

function split(chunks: readonly string[], start: number, max: number): { items: string[]; rest: string[] } {
  const splitter = new LineSplitter(start, max);
  const items = chunks.flatMap((c) => splitter.push(bytes(c)));
  const last = splitter.flush();
  return { items: describeItems(items), rest: describeItems(last ? [last] : []) };
}

describe("LineSplitter", () => {
  it.each([
    { chunks: ["a\nbb\n"], start: 0, max: 10, items: ["a@0-2", "bb@2-5"], rest: [] },
    { chunks: ["a", "b", "\nc"], start: 0, max: 10, items: ["ab@0-3"], rest: ["c@3-4"] },
    { chunks: ["\n\n"], start: 5, max: 10, items: ["@5-6", "@6-7"], rest: [] },
    { chunks: ["abc\nde\n"], start: 0, max: 2, items: ["oversized@0-4", "de@4-7"], rest: [] },
    { chunks: ["ab", "c", "d\nok\n"], start: 0, max: 3, items: ["oversized@0-5", "ok@5-8"], rest: [] },
    { chunks: ["ab", "c"], start: 0, max: 2, items: [], rest: ["oversized@0-3"] },
    { chunks: ["abc"], start: 0, max: 3, items: [], rest: ["abc@0-3"] },
    { chunks: [], start: 7, max: 3, items: [], rest: [] },
  ])("$chunks from $start (max $max)", ({ chunks, start, max, items, rest }) => {
    expect(split(chunks, start, max)).toEqual({ items, rest });
  });

  it("reports what is pending", () => {
    const splitter = new LineSplitter(0, 100);
    splitter.push(bytes("ab\ncd"));
    expect(splitter.pending).toBe(2);
    splitter.push(bytes("\n"));
    expect(splitter.pending).toBe(0);
  });

  it("finds the same lines however the input is chunked", () => {
    const text = fc.stringMatching(/^[ab\n]{0,60}$/);
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat(60), { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        (input, cuts, max) => {
          const at = [...new Set(cuts.filter((c) => c < input.length))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((c, i) => input.slice(c, at[i] ?? input.length));
          const expected: string[] = [];
          let offset = 0;
          for (const line of input.split("\n").slice(0, -1)) {
            const end = offset + line.length + 1;
            expected.push(line.length > max ? `oversized@${offset}-${end}` : `${line}@${offset}-${end}`);
            offset = end;
          }
          expect(split(chunks, 0, max).items).toEqual(expected);
        },
      ),
    );
  });
});
