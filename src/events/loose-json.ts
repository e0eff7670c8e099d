import { LosslessNumber } from "./json.js";

/**
 * JSON as the codec handles it internally: numbers are plain doubles where that is exact (what
 * `JSON.parse` gives on the fast path, and what `google.protobuf.Struct` holds) and `LosslessNumber`s
 * where it may not be. `JsonValue` (lossless throughout) is a subtype.
 */
export type LooseJson = null | boolean | string | number | LosslessNumber | LooseJson[] | LooseObject;
export interface LooseObject {
  [key: string]: LooseJson;
}

export function isLooseObject(value: unknown): value is LooseObject {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof LosslessNumber)
  );
}

/** Sets a member without invoking the inherited `__proto__` setter (a JSON key like any other). */
export function setMember(object: LooseObject, key: string, value: LooseJson): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

/** Whether a string is valid Unicode (no lone surrogate), i.e. survives UTF-8 as protobuf strings need. */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Copies a loose value with every number as a `LosslessNumber`. */
export function toLossless(value: LooseJson): LooseJson {
  if (typeof value === "number") return Number.isFinite(value) ? new LosslessNumber(String(value)) : null;
  if (value === null || typeof value !== "object" || value instanceof LosslessNumber) return value;
  if (Array.isArray(value)) return value.map(toLossless);
  const copy: LooseObject = {};
  for (const key of Object.keys(value)) setMember(copy, key, toLossless(value[key] as LooseJson));
  return copy;
}
