import fc from "fast-check";
import { LosslessNumber } from "lossless-json";
import { TYPED_EVENT_TYPES, planOfType } from "../../../src/events/event-schema.js";
import { planOf, type MessagePlan } from "../../../src/events/message-plan.js";
import { ENUMS, type SchemaField } from "../../../src/gen/events/teleport-schema.js";
import type { JsonObject, JsonValue } from "../../../src/events/json.js";

/** Generators of Teleport-shaped event objects, valid and hostile, with exact (lossless) numbers. */

const num = (text: string): LosslessNumber => new LosslessNumber(text);

/** Strings of every sort, including lone surrogates and keys that mean something to JavaScript. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.constantFrom(
    "",
    "__proto__",
    "constructor",
    "toString",
    "\ud800",
    "a\udfffb",
    "😀",
    "\u0000",
    "é",
    "\u2028",
    "~/",
  ),
);

/** Strings that are valid Unicode (what typed fields accept). */
const validString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", "😀", "é", "\u0000"),
);

/** JSON number text: small, huge, long fractions, exponents beyond a double, negative zero. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc
    .tuple(
      fc.bigInt({ min: 0n, max: 10n ** 30n }),
      fc.nat({ max: 30 }),
      fc.integer({ min: -400, max: 400 }),
      fc.boolean(),
    )
    .map(([digits, point, exponent, negative]) => {
      const text = digits.toString();
      const at = Math.max(1, text.length - point);
      const mantissa = at < text.length ? `${text.slice(0, at)}.${text.slice(at)}` : text;
      return `${negative ? "-" : ""}${mantissa}${exponent === 0 ? "" : `e${exponent}`}`;
    }),
  fc.constantFrom(
    "-0",
    "0.0",
    "1.50",
    "1e400",
    "-1e-400",
    "1E+2",
    "0.1000000000000000055511151231257827",
    "9007199254740993",
    "9223372036854775807",
    "18446744073709551615",
    "123456789012345.6789",
    "5e-324",
  ),
);

const leaf: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  anyString,
  numberText.map(num),
);

/** Any JSON value, nested a few levels. */
export const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{
  value: JsonValue;
  array: JsonValue[];
  object: JsonObject;
}>((tie) => ({
  value: fc.oneof({ maxDepth: 4, depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(anyString, tie("value"), { maxKeys: 4 }),
})).value;

export const jsonObject: fc.Arbitrary<JsonObject> = fc.dictionary(anyString, jsonValue, { maxKeys: 5 });

const two = (n: number): string => String(n).padStart(2, "0");

/** Timestamps exactly as Teleport writes them (RFC3339Nano, UTC, fraction's zeros trimmed). */
export const canonicalTime: fc.Arbitrary<string> = fc
  .record({
    year: fc.integer({ min: 1, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    nanos: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999_999_999 })),
  })
  .map(({ year, month, day, hour, minute, second, nanos }) => {
    const fraction = nanos === 0 ? "" : `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}`;
    return `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${fraction}Z`;
  });

/** Times Teleport would not write: they must survive verbatim all the same. */
export const nonCanonicalTime: fc.Arbitrary<string> = fc.oneof(
  canonicalTime.map((t) => t.replace("Z", "+00:00")),
  canonicalTime.map((t) => t.replace("Z", "z")),
  canonicalTime.map((t) => (t.includes(".") ? t.replace("Z", "0Z") : t.replace("Z", ".000Z"))),
  fc.constantFrom(
    "2026-02-30T00:00:00Z",
    "2026-09-01T23:59:60Z",
    "2026-09-01 08:00:00Z",
    "2026-09-01T08:00:00.1234567891Z",
  ),
);

const validScalar: { readonly [type: string]: fc.Arbitrary<JsonValue> } = {
  string: validString,
  bool: fc.boolean(),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => num(String(n))),
  uint32: fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((n) => num(String(n))),
  int64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => num(String(n))),
  uint64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => num(String(n))),
  bytes: fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes).toString("base64")),
  "google.protobuf.Timestamp": canonicalTime,
  "google.protobuf.Struct": jsonObject,
  "google.protobuf.UInt32Value": fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((n) => num(String(n))),
  "google.protobuf.UInt64Value": fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => num(String(n))),
  "wrappers.LabelValues": fc.dictionary(
    validString.filter((key) => key !== "__proto__"),
    fc.array(validString, { maxLength: 3 }),
    { maxKeys: 3 },
  ),
  "teleport.accesslist.v1.MembershipKind": fc.integer({ min: 0, max: 2 }).map((n) => num(String(n))),
};

const NESTING = 3;
const messageArbitraries = new Map<string, fc.Arbitrary<JsonObject>>();

/** A value of a field's type that fits it (nested messages a few levels deep, then empty). */
function validType(type: string, depth: number): fc.Arbitrary<JsonValue> {
  const scalar = validScalar[type];
  if (scalar !== undefined) return scalar;
  if (!type.startsWith("events.")) return fc.constant(null);
  const name = type.slice("events.".length);
  if (ENUMS[name] !== undefined)
    return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => num(String(n)));
  if (depth >= NESTING) return fc.constant({});
  const key = `${name}@${depth}`;
  let arbitrary = messageArbitraries.get(key);
  if (arbitrary === undefined) {
    const slots = planOf(name).slots.filter((slot) => slot.schema.opaque !== true);
    arbitrary = fc
      .shuffledSubarray(slots, { maxLength: Math.min(4, slots.length) })
      .chain((chosen) =>
        fc.tuple(
          ...chosen.map((slot) => fc.tuple(fc.constant(slot.key), validField(slot.schema, depth + 1))),
        ),
      )
      .map((members) => {
        const object: JsonObject = {};
        // One member of a oneof at most: a second would not fit.
        const oneofs = new Set<string>();
        for (const [key, value] of members) {
          const oneof = planOf(name).byKey.get(key)?.schema.oneof;
          if (oneof !== undefined && oneofs.has(oneof)) continue;
          if (oneof !== undefined) oneofs.add(oneof);
          put(object, key, value);
        }
        return object;
      });
    messageArbitraries.set(key, arbitrary);
  }
  return arbitrary;
}

/** A value that fits a field of the facts table. */
function validField(field: SchemaField, depth = 0): fc.Arbitrary<JsonValue> {
  const map = /^map<\s*string\s*,\s*(\S+?)\s*>$/.exec(field.type);
  if (map !== null) {
    return fc.dictionary(
      validString.filter((key) => key !== "__proto__"),
      validType(map[1] as string, depth),
      { minKeys: 1, maxKeys: 3 },
    );
  }
  const item = validType(field.type, depth);
  return field.repeated === true ? fc.array(item, { minLength: 1, maxLength: 3 }) : item;
}

/** Values that do not fit a kind (or only happen to): they must travel in `extra`. */
const wrongValue: fc.Arbitrary<JsonValue> = fc.oneof(
  jsonValue,
  nonCanonicalTime,
  fc.constantFrom<JsonValue>([], {}, null, "AAA", "A A=", num("2147483648"), num("-1"), num("1.5"), [
    num("1"),
  ]),
  fc.array(anyString, { minLength: 1, maxLength: 2 }),
);

/** Sets a member like JSON.parse would (an own `__proto__` key stays a key). */
export function put(object: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

/** An object of a message's keys, valid or not, in any order, plus unknown keys; `type` first if given. */
export function messageObject(
  plan: MessagePlan,
  type: fc.Arbitrary<JsonValue | undefined>,
): fc.Arbitrary<JsonObject> {
  return fc
    .tuple(
      type,
      fc
        .shuffledSubarray(plan.slots.filter((slot) => slot.key !== "event"))
        .chain((slots) =>
          fc.tuple(
            ...slots.map((slot) =>
              fc.tuple(
                fc.constant(slot.key),
                fc.oneof(
                  { arbitrary: validField(slot.schema), weight: 4 },
                  { arbitrary: wrongValue, weight: 1 },
                ),
              ),
            ),
          ),
        ),
      fc.array(fc.tuple(anyString, jsonValue), { maxLength: 3 }),
      fc.nat(),
    )
    .map(([eventType, known, extras, at]) => {
      const members: [string, JsonValue][] = [...known, ...extras];
      if (eventType !== undefined) members.splice(at % (members.length + 1), 0, ["event", eventType]);
      const object: JsonObject = {};
      for (const [key, value] of members) put(object, key, value);
      return object;
    });
}

/** An event of a type Teleport's server types (any of them): its keys valid or not, plus unknown keys. */
export const knownEvent: fc.Arbitrary<JsonObject> = fc
  .constantFrom(...TYPED_EVENT_TYPES)
  .chain((type) => messageObject(planOfType(type) as MessagePlan, fc.constant(type)));

/** An event of a type with no typed message (or with no usable type at all). */
export const unknownEvent: fc.Arbitrary<JsonObject> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom<JsonValue | undefined>(
        "plugin.sync",
        "app_auth_config.verify.success",
        "",
        undefined,
        num("7"),
        null,
      ),
      anyString.filter((type) => !TYPED_EVENT_TYPES.includes(type)),
    ),
    jsonObject,
  )
  .map(([type, members]) => {
    const object: JsonObject = {};
    if (type !== undefined) put(object, "event", type);
    for (const key of Object.keys(members)) if (key !== "event") put(object, key, members[key] as JsonValue);
    return object;
  });

export const anyEvent: fc.Arbitrary<JsonObject> = fc.oneof(
  { arbitrary: knownEvent, weight: 3 },
  unknownEvent,
);
