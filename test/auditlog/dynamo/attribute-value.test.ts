import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AttributeValueError,
  attributeToJson,
  jsonToAttribute,
  jsonToMap,
  mapToJson,
} from "../../../src/auditlog/dynamo/attribute-value.js";
import type { AttributeValue } from "../../../src/auditlog/dynamo/streams-client.js";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../../../src/events/json-guard.js";
import { LosslessNumber, parseJson, stringifyJson, type JsonValue } from "../../../src/events/json.js";

describe("attribute values ↔ JSON", () => {
  it.each<[string, AttributeValue, string]>([
    ["string", { S: "alice" }, '"alice"'],
    ["number beyond 2^53, exact", { N: "18446744073709551615" }, "18446744073709551615"],
    ["decimal", { N: "0.1" }, "0.1"],
    ["bool", { BOOL: false }, "false"],
    ["null", { NULL: true }, "null"],
    ["list", { L: [{ S: "a" }, { N: "1" }] }, '["a",1]'],
    [
      "map",
      { M: { user: { S: "bob" }, ei: { N: "9007199254740993" } } },
      '{"user":"bob","ei":9007199254740993}',
    ],
    ["string set", { SS: ["x", "y"] }, '["x","y"]'],
    ["number set", { NS: ["1", "2"] }, "[1,2]"],
    ["binary as base64", { B: new Uint8Array([1, 2, 3]) }, '"AQID"'],
    ["empty binary", { B: new Uint8Array(0) }, '""'],
    ["binary set", { BS: [new Uint8Array([255]), new Uint8Array(0)] }, '["/w==",""]'],
    ["empty string", { S: "" }, '""'],
    ["empty map", { M: {} }, "{}"],
    // The SDK's deserializer drops an empty map's member: DynamoDB Local's {"M":{}} arrives as {}.
    ["empty map as the SDK hands it", {} as AttributeValue, "{}"],
    ["empty list", { L: [] }, "[]"],
    [
      "nested empties",
      { M: { a: {} as AttributeValue, b: { L: [{} as AttributeValue, { L: [] }, { NULL: true }] } } },
      '{"a":{},"b":[{},[],null]}',
    ],
    ["normalized large exponent", { N: "1E+100" }, "1e+100"],
    ["normalized small negative", { N: "-5E-11" }, "-5e-11"],
    [
      "38 significant digits",
      { N: "12345678901234567890123456789012345678" },
      "12345678901234567890123456789012345678",
    ],
    ["negative zero", { N: "-0" }, "-0"],
    ["leading plus", { N: "+7" }, "7"],
    ["leading zeros", { N: "007.50" }, "7.50"],
    ["bare fraction", { N: ".5" }, "0.5"],
    ["trailing point", { N: "5." }, "5"],
    ["number set, normalized", { NS: ["1E+2", "-.25"] }, "[1e+2,-0.25]"],
  ])("%s", (_name, value, json) => {
    expect(stringifyJson(attributeToJson(value))).toBe(json);
  });

  it.each<[string, AttributeValue]>([
    ["a member the SDK does not know", { $unknown: ["X", "secret-value"] } as unknown as AttributeValue],
    ["a member this code does not know", { Z: "secret-value" } as unknown as AttributeValue],
    ["a number that is not decimal", { N: "secret-value" }],
    ["an exponent without a mantissa", { N: "e5" }],
    ["a lone point", { N: "." }],
    ["an empty number", { N: "" }],
    ["inside a map", { M: { a: { N: "0x1F" } } }],
  ])("refuses %s with a typed error that does not quote the content", (_name, value) => {
    expect(() => attributeToJson(value)).toThrow(AttributeValueError);
    expect(() => attributeToJson(value)).not.toThrow(/secret|0x1F/);
  });

  it("decodes maps and lists up to the JSON depth bound and refuses one level more", () => {
    const deep = (levels: number): AttributeValue =>
      levels === 0
        ? { N: "1" }
        : levels % 2 === 0
          ? { M: { a: deep(levels - 1) } }
          : { L: [deep(levels - 1)] };
    // The item's own map is the first level: the bound exactly.
    const text = stringifyJson(mapToJson({ a: deep(MAX_JSON_DEPTH - 1) }));
    expect(exceedsJsonDepth(text, MAX_JSON_DEPTH)).toBe(false);
    expect(exceedsJsonDepth(text, MAX_JSON_DEPTH - 1)).toBe(true);
    expect(() => mapToJson({ a: deep(MAX_JSON_DEPTH) })).toThrow(
      new AttributeValueError(`attribute values nested deeper than ${MAX_JSON_DEPTH} levels`),
    );
    expect(() => attributeToJson(deep(MAX_JSON_DEPTH + 1))).toThrow(AttributeValueError);
    expect(() => attributeToJson(deep(5_000))).toThrow(AttributeValueError);
  });

  it("writes JSON the way Teleport marshals event fields", () => {
    expect(jsonToAttribute(parseJson('{"a":[1,"x",true,null],"b":{"c":12345678901234567890}}'))).toEqual({
      M: {
        a: { L: [{ N: "1" }, { S: "x" }, { BOOL: true }, { NULL: true }] },
        b: { M: { c: { N: "12345678901234567890" } } },
      },
    });
  });

  it("keeps a __proto__ key as data", () => {
    const map = jsonToMap(parseJson('{"__proto__":{"x":1}}') as never);
    expect(Object.keys(map)).toEqual(["__proto__"]);
    expect(Object.keys(mapToJson(map))).toEqual(["__proto__"]);
  });

  it("round-trips any JSON exactly", () => {
    const json = fc.letrec<{ value: JsonValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.string(),
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => new LosslessNumber(n.toString())),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        expect(stringifyJson(attributeToJson(jsonToAttribute(value)))).toBe(stringifyJson(value));
      }),
    );
  });
});
