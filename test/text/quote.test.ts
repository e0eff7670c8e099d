import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quote } from "../../src/text/quote.js";
import { hostileString, isWellFormed } from "../text/unicode-arbitraries.js";

describe("quote", () => {
  it.each([
    ["abc", 64, '"abc"'],
    ["abcdef", 3, '"abc…"'],
    ['a"b\n', 64, '"a\\"b\\n"'],
    ["ab😀c", 3, '"ab…"'],
    ["\ud800", 64, '"\\ud800"'],
  ])("quote(%j, %d) is %s", (value, max, expected) => {
    expect(quote(value, max)).toBe(expected);
  });

  it("is one well-formed JSON string that gives back the (cut) value", () => {
    fc.assert(
      fc.property(hostileString(), fc.integer({ min: 1, max: 80 }), (value, max) => {
        const quoted = quote(value, max);
        expect(isWellFormed(quoted)).toBe(true);
        expect([...quoted].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
        const back = JSON.parse(quoted) as string;
        if (value.length <= max) expect(back).toBe(value);
        else expect(value.startsWith(back.slice(0, -1))).toBe(true);
      }),
    );
  });
});
