import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LosslessNumber, parseJson, type JsonValue } from "../../src/events/json.js";
import { canonicalJson, contentId } from "../../src/reporter/canonical-json.js";

describe("canonicalJson", () => {
  it.each([
    ['{"b":1,"a":2}', '{"a":2,"b":1}'],
    ['{"z":{"y":[3,{"d":null,"c":true}],"x":"s"}}', '{"z":{"x":"s","y":[3,{"c":true,"d":null}]}}'],
    ['{"ei":18446744073709551617}', '{"ei":18446744073709551617}'],
    ['{"n":1.50,"m":-0,"e":1E+3}', '{"e":1E+3,"m":-0,"n":1.50}'],
    ['{"s":"line\\nbreak \\u00e9 \\"q\\""}', '{"s":"line\\nbreak é \\"q\\""}'],
    ['{"é":1,"e":2,"E":3,"\\ud83d\\ude00":4,"\\uffff":5}', '{"E":3,"e":2,"é":1,"😀":4,"\uffff":5}'],
    ["[]", "[]"],
    ["{}", "{}"],
  ])("%s → %s", (input, expected) => {
    expect(canonicalJson(parseJson(input))).toBe(expected);
  });

  it("keeps every digit of numbers beyond 2^53", () => {
    expect(canonicalJson({ ei: new LosslessNumber("9007199254740993") })).toBe('{"ei":9007199254740993}');
  });

  it("does not depend on key order, and parses back to the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const json = parseJson(text);
        const canonical = canonicalJson(json);
        expect(canonicalJson(parseJson(canonical))).toBe(canonical);
        expect(canonicalJson(reversed(json))).toBe(canonical);
        expect(JSON.parse(canonical)).toEqual(JSON.parse(text));
      }),
    );
  });
});

describe("contentId", () => {
  it("is the SHA-256 hex of the canonical text", () => {
    // printf '%s' '{"a":1,"b":"x"}' | sha256sum
    expect(contentId(parseJson('{"b":"x","a":1}'))).toBe(
      "ecf9e98ec0641e23113ff3ce8bdc78d0ddd249886517fd4a7f68cc83d4e65667",
    );
  });
});

function reversed(value: JsonValue): JsonValue {
  if (value === null || typeof value !== "object" || value instanceof LosslessNumber) return value;
  if (Array.isArray(value)) return value.map(reversed);
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}
