import { LosslessNumber, isLosslessNumber, type JsonObject, type JsonValue } from "../../events/json.js";
import { MAX_JSON_DEPTH } from "../../events/json-guard.js";
import type { AttributeValue } from "./streams-client.js";

/** An attribute value that has no JSON form (a member this code does not know); the record is unreadable. */
export class AttributeValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AttributeValueError";
  }
}

/**
 * DynamoDB attribute values to JSON and back, the way Teleport marshals its event fields: maps are
 * objects, lists arrays, numbers exact (LosslessNumber keeps their decimal text), NULL is null.
 * Sets and binary never appear in Teleport's items; they decode to arrays and base64 text.
 *
 * Total over what the AWS SDK hands out: its deserializer drops an empty map's member, so an empty M
 * arrives as `{}` (no member at all) and decodes to `{}`; a member it does not know (`$unknown`) throws
 * AttributeValueError, naming the member, never the content, as does nesting deeper than MAX_JSON_DEPTH
 * (DynamoDB's own limit, so only a hostile source gets there).
 */
export function attributeToJson(value: AttributeValue, enclosing = 0): JsonValue {
  if ("S" in value) return value.S;
  if ("N" in value) return numberToJson(value.N);
  if ("BOOL" in value) return value.BOOL;
  if ("NULL" in value) return null;
  if ("M" in value) return mapToJson(value.M, enclosing + 1);
  if ("L" in value) {
    const level = nested(enclosing + 1);
    return value.L.map((item) => attributeToJson(item, level));
  }
  if ("SS" in value) return [...value.SS];
  if ("NS" in value) return value.NS.map(numberToJson);
  if ("B" in value) return Buffer.from(value.B).toString("base64");
  if ("BS" in value) return value.BS.map((b) => Buffer.from(b).toString("base64"));
  const members = Object.keys(value);
  if (members.length === 0) return mapToJson({}, enclosing + 1);
  const unknown = (value as { $unknown?: unknown }).$unknown;
  const name = Array.isArray(unknown) && typeof unknown[0] === "string" ? unknown[0] : members[0];
  throw new AttributeValueError(`unknown DynamoDB attribute value type ${JSON.stringify(name)}`);
}

/** The members of a map value, also when the SDK handed an empty map as `{}`; undefined for other types. */
export function mapMembers(value: AttributeValue): Record<string, AttributeValue> | undefined {
  if ("M" in value) return value.M;
  return Object.keys(value).length === 0 ? {} : undefined;
}

/**
 * A map as a JSON object; `level` is its nesting level (1 for an item's FieldsMap).
 * @throws AttributeValueError when it nests deeper than MAX_JSON_DEPTH, the bound of every JSON reader
 */
export function mapToJson(map: Record<string, AttributeValue>, level = 1): JsonObject {
  nested(level);
  const object: JsonObject = {};
  for (const [key, value] of Object.entries(map)) setOwn(object, key, attributeToJson(value, level));
  return object;
}

function nested(level: number): number {
  if (level > MAX_JSON_DEPTH) {
    throw new AttributeValueError(`attribute values nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return level;
}

export function jsonToAttribute(value: JsonValue): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "boolean") return { BOOL: value };
  if (isLosslessNumber(value)) return { N: value.toString() };
  if (Array.isArray(value)) return { L: value.map(jsonToAttribute) };
  return { M: jsonToMap(value) };
}

export function jsonToMap(object: JsonObject): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(object)) setOwn(map, key, jsonToAttribute(value));
  return map;
}

/** Decimal text as DynamoDB accepts it: "+1", ".5", "5.", "007" as well as JSON's own forms. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Its parts: sign, integer digits without leading zeros, fraction digits, exponent. */
const DECIMAL_PARTS = /^([+-]?)0*(\d*?)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * An N value as an exact JSON number. DynamoDB sends normalized text (`1E+100`, `-5E-11`); other decimal
 * spellings are rewritten into JSON's grammar without changing the value.
 * @throws AttributeValueError for text that is not a decimal number (the text is not quoted).
 */
export function numberToJson(text: string): LosslessNumber {
  const match = DECIMAL.test(text) ? DECIMAL_PARTS.exec(text) : null;
  if (match === null) throw new AttributeValueError("a DynamoDB number that is not a decimal number");
  const [, sign = "", integer = "", fraction = "", exponent] = match;
  let json = `${sign === "-" ? "-" : ""}${integer === "" ? "0" : integer}`;
  if (fraction !== "") json += `.${fraction}`;
  if (exponent !== undefined) json += `e${exponent}`;
  return new LosslessNumber(json);
}

/** Assigns an own property, even for the key "__proto__" (which plain assignment would treat as the prototype). */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
