import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  exceedsJsonDepth,
  JsonTextError,
  jsonTextError,
  MAX_JSON_DEPTH,
} from "../../src/events/json-guard.js";
import { parseJson } from "../../src/events/json.js";
import { parseLooseJson } from "../../src/events/json-text.js";

const nested = (depth: number, inner = "1"): string => "[".repeat(depth) + inner + "]".repeat(depth);

describe("exceedsJsonDepth", () => {
  it.each<[string, string, number, boolean]>([
    ["a scalar", "1", 0, false],
    ["an empty object at limit 1", "{}", 1, false],
    ["an empty object at limit 0", "{}", 0, true],
    ["siblings do not add up", '[{},{},[],{"a":[]}]', 3, false],
    ["nested objects and arrays", '{"a":[{"b":{}}]}', 4, false],
    ["one level too deep", '{"a":[{"b":{}}]}', 3, true],
    ["brackets inside strings", '{"a":"[[[[{{{{"}', 1, false],
    ["an escaped quote inside a string", '{"a":"\\"[[[["}', 1, false],
    ["an escaped backslash before the closing quote", '{"a":"\\\\","b":[[]]}', 2, true],
    ["the bound itself", nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH, false],
    ["one past the bound", nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH, true],
    ["a text no longer than the bound, all brackets", "[".repeat(8), 8, false],
    ["one bracket longer", "[".repeat(9), 8, true],
    ["an unterminated string hides the brackets after it", '["abc' + "[".repeat(20), 4, false],
    ["a run of backslashes before a quote, odd then even", '["\\"[[[", "\\\\", [[[[[]]]]]]', 4, true],
  ])("%s", (_name, text, limit, expected) => {
    expect(exceedsJsonDepth(text, limit)).toBe(expected);
  });

  it("agrees with the depth of any JSON value", () => {
    const depthOf = (value: unknown): number =>
      typeof value === "object" && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.nat({ max: 8 }), (value, limit) => {
        const text = JSON.stringify(value);
        expect(exceedsJsonDepth(text, limit)).toBe(depthOf(value) > limit);
      }),
    );
  });
});

/** The plain definition, one character at a time: inside a string a backslash skips the next one. */
function exceedsByDefinition(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (++depth > limit) return true;
    } else if (c === "}" || c === "]") depth--;
  }
  return false;
}

describe("exceedsJsonDepth on any text", () => {
  it("gives the verdict of the plain definition, whether or not the text is JSON", () => {
    const text = fc.string({ unit: fc.constantFrom("{", "}", "[", "]", '"', "\\", "a", ","), maxLength: 80 });
    fc.assert(
      fc.property(text, fc.nat({ max: 6 }), (t, limit) => {
        expect(exceedsJsonDepth(t, limit)).toBe(exceedsByDefinition(t, limit));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("every JSON text reader", () => {
  it.each([
    ["parseJson", parseJson],
    ["parseLooseJson", parseLooseJson],
  ] as const)("%s refuses 5 000 levels the same way every time, and takes the bound", (_name, parse) => {
    for (let run = 0; run < 3; run++) {
      expect(() => parse(nested(5_000))).toThrow(
        new JsonTextError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`),
      );
    }
    expect(() => parse(nested(MAX_JSON_DEPTH + 1))).toThrow(JsonTextError);
    let value: unknown = parse(nested(MAX_JSON_DEPTH));
    for (let level = 0; level < MAX_JSON_DEPTH; level++) {
      expect(Array.isArray(value)).toBe(true);
      value = (value as unknown[])[0];
    }
    expect(String(value)).toBe("1");
  });

  it.each([
    ['{"user":"PLANTED-secret-1", x}', /^not valid JSON at position \d+$/],
    ["PLANTED-secret-2 is no JSON", /^not valid JSON at position 0$/],
    ['{"token_sha256":PLANTED-secret-3}', /^not valid JSON at position 16$/],
    ['{"n":12345678901234567890, PLANTED}', /^not valid JSON at position \d+$/],
    ['{"user":"PLANTED', /^not valid JSON( at position \d+|: it ends too early)$/],
    ['{"user":"PLANTED"', /^not valid JSON( at position \d+|: it ends too early)$/],
    ["", /^not valid JSON: it ends too early$/],
  ])("quotes none of %j in its error", (text, message) => {
    for (const parse of [parseJson, parseLooseJson]) {
      let error: unknown;
      try {
        parse(text);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(JsonTextError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/PLANTED|secret/);
    }
  });

  it("keeps a JsonTextError as it is and names no position it does not know", () => {
    const err = new JsonTextError("JSON nested deeper than 256 levels");
    expect(jsonTextError(err)).toBe(err);
    expect(jsonTextError(new Error("Unexpected token 's', \"secret\" is not valid JSON")).message).toBe(
      "not valid JSON",
    );
  });
});
