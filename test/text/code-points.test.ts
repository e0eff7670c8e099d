import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prefix, wellFormed } from "../../src/text/code-points.js";
import { hostileString, isWellFormed } from "./unicode-arbitraries.js";

describe("wellFormed", () => {
  it.each([
    ["", ""],
    ["plain", "plain"],
    ["\ud800", "\ufffd"],
    ["\udc00", "\ufffd"],
    ["a\ud800b", "a\ufffdb"],
    ["\udc00\ud800", "\ufffd\ufffd"],
    ["😀", "😀"],
    ["\ud83d\ude00\ud83d", "😀\ufffd"],
    ["\ud800\ud800\udc00", "\ufffd\ud800\udc00"],
  ])("%j becomes %j", (input, expected) => {
    expect(wellFormed(input)).toBe(expected);
  });

  it("leaves well-formed text alone and makes any other text well-formed", () => {
    fc.assert(
      fc.property(hostileString(), (text) => {
        const result = wellFormed(text);
        expect(isWellFormed(result)).toBe(true);
        expect(result.length).toBe(text.length);
        if (isWellFormed(text)) expect(result).toBe(text);
      }),
    );
  });
});

describe("prefix", () => {
  it.each([
    ["abcdef", 3, "abc"],
    ["abc", 10, "abc"],
    ["ab😀", 3, "ab"],
    ["ab😀", 4, "ab😀"],
    ["ab\ud800c", 3, "ab\ud800"],
    ["abc", 0, ""],
    ["abc", -1, ""],
  ])("prefix(%j, %d) is %j", (text, max, expected) => {
    expect(prefix(text, max)).toBe(expected);
  });

  it("never splits a pair and is the longest prefix that fits", () => {
    fc.assert(
      fc.property(hostileString(), fc.nat(40), (text, max) => {
        const result = prefix(text, max);
        expect(text.startsWith(result)).toBe(true);
        expect(result.length).toBeLessThanOrEqual(max);
        expect(result.length).toBeGreaterThanOrEqual(Math.min(max, text.length) - 1);
        if (isWellFormed(text)) expect(isWellFormed(result)).toBe(true);
      }),
    );
  });
});
