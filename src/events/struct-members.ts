import { LosslessNumber, parseJson, stringifyJson, type JsonValue } from "./json.js";
import { formatPointer, parsePointer } from "./json-pointer.js";
import { isJsonNumberText, toExactDouble } from "./decimal.js";
import { isLooseObject, isWellFormed, setMember, type LooseJson, type LooseObject } from "./loose-json.js";

/**
 * Packing JSON members into what protobuf can carry without loss: a `google.protobuf.Struct` (doubles,
 * UTF-8 strings), exact decimal text for numbers a double would round, and JSON text for members a
 * Struct cannot hold at all.
 */

/**
 * Deepest nesting of objects and arrays kept in a Struct. Each level costs three nested messages
 * (Struct, entry, Value) and the generated decoders stop at 100; deeper members travel as JSON text.
 */
export const MAX_STRUCT_DEPTH = 20;

export interface PackedMembers {
  /** Undefined when no member fits a Struct. */
  fields: { [key: string]: LooseJson } | undefined;
  exactNumbers: { [pointer: string]: string };
  /** A JSON object text, undefined when every member fits `fields`. */
  escapedMembers: string | undefined;
}

const UNFIT = Symbol("unfit");
type Unfit = typeof UNFIT;

/**
 * A value as a Struct holds it: the same reference when it already fits, a copy with doubles in place
 * of `LosslessNumber`s otherwise (recording in `exact` the ones a double would round), UNFIT when a
 * Struct cannot carry it.
 */
function structValue(
  value: LooseJson,
  path: string[],
  depth: number,
  exact: { [pointer: string]: string } | undefined,
): LooseJson | Unfit {
  if (typeof value === "string") return isWellFormed(value) ? value : UNFIT;
  if (typeof value === "number") return Number.isFinite(value) ? value : UNFIT;
  if (value === null || typeof value === "boolean") return value;
  if (value instanceof LosslessNumber) {
    const double = toExactDouble(value.value);
    if (double !== undefined) return double;
    if (exact === undefined) return UNFIT;
    exact[formatPointer(path)] = value.value;
    return Number(value.value);
  }
  if (depth > MAX_STRUCT_DEPTH) return UNFIT;
  if (Array.isArray(value)) {
    let copy: LooseJson[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as LooseJson;
      path.push(String(i));
      const packed = structValue(item, path, depth + 1, exact);
      path.pop();
      if (packed === UNFIT) return UNFIT;
      if (packed !== item) copy ??= value.slice();
      if (copy !== undefined) copy[i] = packed;
    }
    return copy ?? value;
  }
  const keys = Object.keys(value);
  let copy: LooseObject | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === "__proto__" || !isWellFormed(key)) return UNFIT;
    const item = value[key] as LooseJson;
    path.push(key);
    const packed = structValue(item, path, depth + 1, exact);
    path.pop();
    if (packed === UNFIT) return UNFIT;
    if (packed !== item && copy === undefined) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j] as string] = value[keys[j] as string] as LooseJson;
    }
    if (copy !== undefined) copy[key] = packed;
  }
  return copy ?? value;
}

/** An object exactly as a typed Struct field holds it (no exact-number side table), or undefined. */
export function fitStruct(value: LooseJson): { [key: string]: LooseJson } | undefined {
  if (!isLooseObject(value)) return undefined;
  const packed = structValue(value, [], 1, undefined);
  return packed === UNFIT ? undefined : (packed as LooseObject);
}

/** Packs event members (in order) for ExtraFields or Unstructured. */
export function packMembers(members: readonly (readonly [string, LooseJson])[]): PackedMembers {
  let fields: LooseObject | undefined;
  const exactNumbers: { [pointer: string]: string } = {};
  let escaped: LooseObject | undefined;
  for (const [key, value] of members) {
    let packed: LooseJson | Unfit = UNFIT;
    if (key !== "__proto__" && isWellFormed(key)) {
      const exact: { [pointer: string]: string } = {};
      packed = structValue(value, [key], 1, exact);
      if (packed !== UNFIT) Object.assign(exactNumbers, exact);
    }
    if (packed === UNFIT) setMember((escaped ??= {}), key, value);
    else (fields ??= {})[key] = packed;
  }
  return {
    fields,
    exactNumbers,
    escapedMembers: escaped === undefined ? undefined : stringifyJson(escaped as JsonValue),
  };
}

/**
 * The members packed by `packMembers`, as one object (exact numbers as `LosslessNumber`s, escaped
 * members after the others). `lossless` is set when the result holds any `LosslessNumber`. Invalid
 * side-table entries (not a pointer into the fields, not a number, not a JSON object) are ignored.
 */
export function unpackMembers(
  fields: { [key: string]: unknown } | undefined,
  exactNumbers: { [pointer: string]: string },
  escapedMembers: string | undefined,
  flags: { lossless: boolean },
): LooseObject {
  let result = (fields ?? {}) as LooseObject;
  const pointers = Object.keys(exactNumbers);
  if (pointers.length > 0 || escapedMembers !== undefined) result = { ...result };
  for (const pointer of pointers) {
    const text = exactNumbers[pointer] as string;
    const tokens = parsePointer(pointer);
    if (tokens === undefined || tokens.length === 0 || !isJsonNumberText(text)) continue;
    if (replaceAt(result, tokens, new LosslessNumber(text))) flags.lossless = true;
  }
  if (escapedMembers !== undefined) {
    let escaped: JsonValue;
    try {
      escaped = parseJson(escapedMembers);
    } catch {
      return result;
    }
    if (isLooseObject(escaped)) {
      for (const key of Object.keys(escaped)) setMember(result, key, escaped[key] as LooseJson);
      flags.lossless = true;
    }
  }
  return result;
}

/** Replaces the number at `tokens` below `root` (already a private copy), copying containers on the way. */
function replaceAt(root: LooseObject, tokens: readonly string[], replacement: LosslessNumber): boolean {
  let container: LooseObject | LooseJson[] = root;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const last = i === tokens.length - 1;
    if (Array.isArray(container)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return false;
      const index = Number(token);
      const child: LooseJson | undefined = container[index];
      if (child === undefined) return false;
      if (last) {
        if (typeof child !== "number") return false;
        container[index] = replacement;
        return true;
      }
      const copy = copyContainer(child);
      if (copy === undefined) return false;
      container[index] = copy;
      container = copy;
    } else {
      if (!Object.hasOwn(container, token)) return false;
      const child = container[token] as LooseJson;
      if (last) {
        if (typeof child !== "number") return false;
        setMember(container, token, replacement);
        return true;
      }
      const copy = copyContainer(child);
      if (copy === undefined) return false;
      setMember(container, token, copy);
      container = copy;
    }
  }
  return false;
}

function copyContainer(value: LooseJson): LooseObject | LooseJson[] | undefined {
  if (Array.isArray(value)) return value.slice();
  if (isLooseObject(value)) return { ...value };
  return undefined;
}
