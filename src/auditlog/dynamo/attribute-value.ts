import { LosslessNumber, isLosslessNumber, type JsonObject, type JsonValue } from "../../events/json.js";
import type { AttributeValue } from "./streams-client.js";

/**
 * DynamoDB attribute values to JSON and back, the way Teleport marshals its event fields: maps are
 * objects, lists arrays, numbers exact (LosslessNumber keeps their decimal text), NULL is null.
 * Sets and binary never appear in Teleport's items; they decode to arrays and base64 text.
 */
export function attributeToJson(value: AttributeValue): JsonValue {
  if ("S" in value) return value.S;
  if ("N" in value) return new LosslessNumber(value.N);
  if ("BOOL" in value) return value.BOOL;
  if ("NULL" in value) return null;
  if ("M" in value) return mapToJson(value.M);
  if ("L" in value) return value.L.map(attributeToJson);
  if ("SS" in value) return [...value.SS];
  if ("NS" in value) return value.NS.map((n) => new LosslessNumber(n));
  if ("B" in value) return Buffer.from(value.B).toString("base64");
  if ("BS" in value) return value.BS.map((b) => Buffer.from(b).toString("base64"));
  throw new TypeError("unknown DynamoDB attribute value type");
}

export function mapToJson(map: Record<string, AttributeValue>): JsonObject {
  const object: JsonObject = {};
  for (const [key, value] of Object.entries(map)) setOwn(object, key, attributeToJson(value));
  return object;
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

/** Assigns an own property, even for the key "__proto__" (which plain assignment would treat as the prototype). */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
