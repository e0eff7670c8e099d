import type { Timestamp } from "../gen/google/protobuf/timestamp.js";
import { LosslessNumber } from "./json.js";
import { decimalToBigInt } from "./decimal.js";
import { formatTimestamp, parseCanonicalTimestamp } from "./rfc3339.js";
import { fitStruct } from "./struct-members.js";
import { isLooseObject, isWellFormed, type LooseJson } from "./loose-json.js";

/**
 * The kinds of typed field an event JSON key can map to, each with the rule for when a JSON value fits
 * it (and so can be re-written identically, up to number spelling) and how it is written back.
 */
export interface KindTypes {
  string: string;
  bool: boolean;
  int32: number;
  uint32: number;
  int64: bigint;
  stringList: string[];
  stringMap: { [key: string]: string };
  // Exactly the generated Struct field type, so the tables can check it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  struct: { [key: string]: any };
  timestamp: Timestamp;
  /** Base64 in JSON (Go's []byte). */
  bytes: Buffer;
}
export type Kind = keyof KindTypes;

export interface KindCodec<T> {
  /** The typed value, or undefined when the JSON value does not fit (it then stays in `extra`). */
  read(value: LooseJson): T | undefined;
  /** The JSON value, or undefined for a value JSON would not show (an empty list or map). */
  write(value: T, flags: { lossless: boolean }): LooseJson | undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

function integerIn(value: LooseJson, min: number, max: number): number | undefined {
  if (typeof value === "number")
    return Number.isInteger(value) && value >= min && value <= max ? value : undefined;
  if (!(value instanceof LosslessNumber)) return undefined;
  const integer = decimalToBigInt(value.value, 20);
  return integer !== undefined && integer >= BigInt(min) && integer <= BigInt(max)
    ? Number(integer)
    : undefined;
}

function isStringList(value: LooseJson): value is string[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (const item of value) if (typeof item !== "string" || !isWellFormed(item)) return false;
  return true;
}

function isStringMap(value: LooseJson): value is { [key: string]: string } {
  if (!isLooseObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 0) return false;
  for (const key of keys) {
    const item = value[key];
    if (key === "__proto__" || !isWellFormed(key) || typeof item !== "string" || !isWellFormed(item))
      return false;
  }
  return true;
}

export const KIND_CODECS: { readonly [K in Kind]: KindCodec<KindTypes[K]> } = {
  string: {
    read: (value) => (typeof value === "string" && isWellFormed(value) ? value : undefined),
    write: (value) => value,
  },
  bool: {
    read: (value) => (typeof value === "boolean" ? value : undefined),
    write: (value) => value,
  },
  int32: {
    read: (value) => integerIn(value, -(2 ** 31), 2 ** 31 - 1),
    write: (value) => value,
  },
  uint32: {
    read: (value) => integerIn(value, 0, 2 ** 32 - 1),
    write: (value) => value,
  },
  int64: {
    read: (value) => {
      if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
      // A double from the fast path prints as the value of its JSON text (see codec.ts).
      const text =
        typeof value === "number" ? String(value) : value instanceof LosslessNumber ? value.value : "";
      const integer = decimalToBigInt(text, 20);
      return integer !== undefined && integer >= INT64_MIN && integer <= INT64_MAX ? integer : undefined;
    },
    write: (value, flags) => {
      if (value <= SAFE_MAX && value >= -SAFE_MAX) return Number(value);
      flags.lossless = true;
      return new LosslessNumber(value.toString());
    },
  },
  stringList: {
    // An empty list is indistinguishable from an absent one in protobuf: it stays in `extra`.
    read: (value) => (isStringList(value) ? value.slice() : undefined),
    write: (value) => (value.length > 0 ? value : undefined),
  },
  stringMap: {
    read: (value) => (isStringMap(value) ? { ...value } : undefined),
    write: (value) => (Object.keys(value).length > 0 ? value : undefined),
  },
  struct: {
    read: fitStruct,
    write: (value) => value,
  },
  timestamp: {
    read: (value) => (typeof value === "string" ? parseCanonicalTimestamp(value) : undefined),
    write: (value) => formatTimestamp(value),
  },
  bytes: {
    read: (value) => {
      if (typeof value !== "string") return undefined;
      const bytes = Buffer.from(value, "base64");
      return bytes.toString("base64") === value ? bytes : undefined;
    },
    write: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64"),
  },
};
