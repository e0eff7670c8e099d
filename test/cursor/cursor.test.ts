import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeCursor,
  encodeCursor,
  EMPTY_CURSOR,
  MAX_CURSOR_BYTES,
  shardCursorEncoder,
} from "../../src/cursor/cursor.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";

const KEY = "shard_id_to_sequence_number";

describe("decodeCursor", () => {
  it.each([
    ["the empty string", ""],
    ["an empty object", "{}"],
    ["an empty map", `{"${KEY}":{}}`],
    ["a null map (Go's nil map)", `{"${KEY}":null}`],
  ])("takes %s as the empty cursor", (_name, text) => {
    expect(decodeCursor(text)).toEqual(EMPTY_CURSOR);
  });

  it("decodes shards and ignores other keys beside the map", () => {
    const cursor = decodeCursor(`{"${KEY}":{"b":"2","a":"49000000000000000000123"},"note":{"x":1}}`);
    expect([...cursor]).toEqual([
      ["b", "2"],
      ["a", "49000000000000000000123"],
    ]);
    expect(encodeCursor(cursor)).toBe(`{"${KEY}":{"a":"49000000000000000000123","b":"2"}}`);
  });

  it.each([
    ["a key one character off", `{"shard_id_to_sequence_numbeR":{"a":"1"}}`, '"shard_id_to_sequence_numbeR"'],
    ["only unknown keys", `{"x":1,"y":2,"z":3,"w":4}`, '"x", "y", "z" and 1 more'],
    ["a key in another case", `{"Shard_Id_To_Sequence_Number":{}}`, "a damaged cursor?"],
  ])("refuses a non-empty object without the map (%s)", (_name, text, message) => {
    expect(() => decodeCursor(text)).toThrow(InvalidArgumentError);
    expect(() => decodeCursor(text)).toThrow(message);
  });

  it.each([
    ["not JSON", "{oops", "cursor is not JSON"],
    ["not an object", "[1]", "cursor is not a JSON object"],
    ["a map that is not an object", `{"${KEY}":[1]}`, "must be an object"],
    ["an empty shard id", `{"${KEY}":{"":"1"}}`, "empty shard id"],
    ["a number sequence", `{"${KEY}":{"a":5}}`, "must be a decimal string, got a number"],
    ["a non-decimal sequence", `{"${KEY}":{"a":"12a"}}`, 'for shard "a" is not a decimal number: "12a"'],
    ["a lone surrogate", `{"${KEY}":{"\\ud800":"x"}}`, 'for shard "\\ud800" is not a decimal number'],
    ["null", "null", "cursor is not a JSON object"],
    ["a JSON string", '"abc"', "cursor is not a JSON object"],
    ["a map that is a string", `{"${KEY}":"a:1"}`, "must be an object"],
    ["a null sequence", `{"${KEY}":{"a":null}}`, "must be a decimal string, got null"],
    ["an array sequence", `{"${KEY}":{"a":["1"]}}`, "must be a decimal string, got an array"],
    ["an empty sequence", `{"${KEY}":{"a":""}}`, 'for shard "a" is not a decimal number: ""'],
    ["a negative sequence", `{"${KEY}":{"a":"-1"}}`, "is not a decimal number"],
    ["a sequence of 65 digits", `{"${KEY}":{"a":"${"9".repeat(65)}"}}`, "is not a decimal number"],
  ])("refuses %s, saying so", (_name, text, message) => {
    expect(() => decodeCursor(text)).toThrow(InvalidArgumentError);
    expect(() => decodeCursor(text)).toThrow(message);
  });

  it("takes a sequence of 64 digits, the longest there is", () => {
    expect(decodeCursor(`{"${KEY}":{"a":"${"9".repeat(64)}"}}`)).toEqual(new Map([["a", "9".repeat(64)]]));
  });

  it("refuses a cursor over its size bound before parsing it, counting UTF-8 bytes", () => {
    // Two bytes a character: under the bound in characters, over it in bytes.
    const shard = "é".repeat(MAX_CURSOR_BYTES / 2);
    const text = `{"${KEY}":{"${shard}":"1"}}`;
    expect(text.length).toBeLessThan(MAX_CURSOR_BYTES);
    expect(() => decodeCursor(text)).toThrow(
      new InvalidArgumentError(`cursor is larger than ${MAX_CURSOR_BYTES} bytes`),
    );
    const fits = `{"${KEY}":{"${"a".repeat(MAX_CURSOR_BYTES - 40)}":"1"}}`;
    expect(decodeCursor(fits).size).toBe(1);
  });

  it("quotes a long shard id cut on a character boundary", () => {
    const shard = "😀".repeat(60);
    let message = "";
    try {
      decodeCursor(JSON.stringify({ [KEY]: { [shard]: "x" } }));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`"${"😀".repeat(40)}…"`);
    expect(() => encodeURI(message)).not.toThrow();
  });
});

describe("shardCursorEncoder", () => {
  it("writes what encodeCursor writes for a one-shard cursor, whatever the shard id and number", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1 }),
        fc.string({ unit: "binary" }),
        (shard, sequenceNumber) => {
          expect(shardCursorEncoder(shard)(sequenceNumber)).toBe(
            encodeCursor(new Map([[shard, sequenceNumber]])),
          );
        },
      ),
    );
  });

  it("encodeCursor and decodeCursor round-trip any cursor, and equal cursors encode alike", () => {
    const shards = fc.uniqueArray(
      fc.tuple(fc.string({ unit: "binary", minLength: 1 }), fc.stringMatching(/^[0-9]{1,40}$/)),
      { selector: ([shard]) => shard, minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(shards, (entries) => {
        const text = encodeCursor(new Map(entries));
        expect(new Map(decodeCursor(text))).toEqual(new Map(entries));
        expect(encodeCursor(new Map([...entries].reverse()))).toBe(text);
      }),
    );
  });

  it("keeps a shard named like an object's inherited members", () => {
    for (const shard of ["__proto__", "constructor", "toString"]) {
      const text = shardCursorEncoder(shard)("7");
      expect(encodeCursor(new Map([[shard, "7"]]))).toBe(text);
      expect([...decodeCursor(text)]).toEqual([[shard, "7"]]);
    }
  });

  it("gives a cursor decodeCursor reads back", () => {
    const encode = shardCursorEncoder("2026-09-01.log");
    expect([...decodeCursor(encode("4096"))]).toEqual([["2026-09-01.log", "4096"]]);
    expect([...decodeCursor(encode("0"))]).toEqual([["2026-09-01.log", "0"]]);
  });
});
