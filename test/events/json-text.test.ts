import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mayRoundNumbers, parseLooseJson } from "../../src/events/json-text.js";
import { LosslessNumber } from "../../src/events/json.js";
import { numberText } from "./support/event-arbitraries.js";
import { normalizeNumber } from "./support/json-equality.js";

describe("the JSON.parse fast path", () => {
  it("is taken only where JSON.parse keeps every number's exact value", () => {
    const context = fc.constantFrom(
      (n: string) => `{"k":${n}}`,
      (n: string) => `{"k": \n${n}}`,
      (n: string) => `[1,${n}]`,
      (n: string) => `[1, ${n}]`,
    );
    fc.assert(
      fc.property(numberText, context, (text, wrap) => {
        const json = wrap(text);
        if (mayRoundNumbers(json)) return;
        const parsed = JSON.parse(json) as Record<string, number> | number[];
        const value = Array.isArray(parsed) ? parsed[1] : parsed["k"];
        expect(normalizeNumber(String(value))).toBe(normalizeNumber(text));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ["9007199254740993", true],
    ["123456789012345.6789", true],
    ["1e400", true],
    ["-1.5E-308", true],
    ["2147483647", false],
    ["0.25", false],
  ])("%s needs the exact parser: %s", (text, slow) => {
    expect(mayRoundNumbers(`{"ei":${text}}`)).toBe(slow);
  });

  it("looks at numbers only, not at digits inside strings, however they are escaped", () => {
    expect(mayRoundNumbers('{"id":"12345678901234567890","n":1}')).toBe(false);
    expect(mayRoundNumbers('{"s":"a\\"b:12345678901234567","n":[1,2e5]}')).toBe(false);
    expect(mayRoundNumbers('{"s":"a\\\\","n":12345678901234567}')).toBe(true);
    expect(mayRoundNumbers('[{"a":[[-9007199254740993]]}]')).toBe(true);
  });

  it("does not mistake uids for exponents", () => {
    expect(mayRoundNumbers('{"uid":"4e071234-9ca4-4e07-b713-013649f722fb","sid":"3e921220-0000"}')).toBe(
      false,
    );
  });

  it("parses exactly where it must", () => {
    const value = parseLooseJson('{"ei":18446744073709551615}') as Record<string, unknown>;
    expect(value["ei"]).toEqual(new LosslessNumber("18446744073709551615"));
  });
});
