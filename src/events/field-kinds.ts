import type { Timestamp } from "../gen/google/protobuf/timestamp.js";
import { LosslessNumber } from "./json.js";
import { decimalToBigInt } from "./decimal.js";
import { formatTimestamp, parseCanonicalTimestamp } from "./rfc3339.js";
import { fitStruct } from "./struct-members.js";
import { isLooseObject, isWellFormed, type LooseJson, type LooseObject } from "./loose-json.js";

/**
 * How a JSON value maps to a typed protobuf field, per kind of field, with the rule for when a value fits
 * (and so is written back identically, up to number spelling). A value that does not fit stays in the
 * event's extras, so the codec stays lossless whatever the JSON holds.
 */
export interface KindCodec<T = unknown> {
  /** The typed value, or undefined when the JSON value does not fit (it then stays in extras). */
  read(value: LooseJson): T | undefined;
  /** The JSON value, or undefined for a value JSON would not show (an empty list or map). */
  write(value: T, flags: { lossless: boolean }): LooseJson | undefined;
}

/** The scalar kinds, by the name of the field type they serve. */
export type ScalarKind =
  | "string"
  | "bool"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "bytes"
  | "timestamp"
  | "struct"
  | "labelValues";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
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

function bigIntegerIn(value: LooseJson, min: bigint, max: bigint): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) {
    const integer = BigInt(value);
    return integer >= min && integer <= max ? integer : undefined;
  }
  // A double from the fast path prints as the value of its JSON text (see json-text.ts).
  const text = typeof value === "number" ? String(value) : value instanceof LosslessNumber ? value.value : "";
  const integer = decimalToBigInt(text, 20);
  return integer !== undefined && integer >= min && integer <= max ? integer : undefined;
}

function writeBigInt(value: bigint, flags: { lossless: boolean }): LooseJson {
  if (value <= SAFE_MAX && value >= -SAFE_MAX) return Number(value);
  flags.lossless = true;
  return new LosslessNumber(value.toString());
}

const isMapKey = (key: string): boolean => key !== "__proto__" && isWellFormed(key);

/** Wire-format `wrappers.LabelValues`: in JSON an object of string arrays. */
interface LabelValues {
  values: { [key: string]: { values: string[] } };
}

export const SCALAR_CODECS: { readonly [K in ScalarKind]: KindCodec } = {
  string: {
    read: (value) => (typeof value === "string" && isWellFormed(value) ? value : undefined),
    write: (value) => value as string,
  },
  bool: {
    read: (value) => (typeof value === "boolean" ? value : undefined),
    write: (value) => value as boolean,
  },
  int32: {
    read: (value) => integerIn(value, -(2 ** 31), 2 ** 31 - 1),
    write: (value) => value as number,
  },
  uint32: {
    read: (value) => integerIn(value, 0, 2 ** 32 - 1),
    write: (value) => value as number,
  },
  int64: {
    read: (value) => bigIntegerIn(value, INT64_MIN, INT64_MAX),
    write: (value, flags) => writeBigInt(value as bigint, flags),
  },
  uint64: {
    read: (value) => bigIntegerIn(value, 0n, UINT64_MAX),
    write: (value, flags) => writeBigInt(value as bigint, flags),
  },
  bytes: {
    // Go's []byte: standard base64 with padding; any other spelling stays in extras.
    read: (value) => {
      if (typeof value !== "string") return undefined;
      const bytes = Buffer.from(value, "base64");
      return bytes.toString("base64") === value ? bytes : undefined;
    },
    write: (value) => {
      const bytes = value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
    },
  },
  timestamp: {
    read: (value) => (typeof value === "string" ? parseCanonicalTimestamp(value) : undefined),
    write: (value) => formatTimestamp(value as Timestamp),
  },
  struct: {
    read: fitStruct,
    write: (value) => value as LooseObject,
  },
  labelValues: {
    read: (value): LabelValues | undefined => {
      if (!isLooseObject(value)) return undefined;
      const values: LabelValues["values"] = {};
      for (const key of Object.keys(value)) {
        const list = value[key];
        if (!isMapKey(key) || !Array.isArray(list)) return undefined;
        for (const item of list) if (typeof item !== "string" || !isWellFormed(item)) return undefined;
        values[key] = { values: (list as string[]).slice() };
      }
      return { values };
    },
    write: (value) => {
      const out: LooseObject = {};
      const { values } = value as LabelValues;
      for (const key of Object.keys(values)) out[key] = values[key]?.values ?? [];
      return out;
    },
  },
};

/**
 * A repeated field: a non-empty array whose every item fits. An empty array is indistinguishable from an
 * absent field in protobuf, so it stays in extras.
 */
export function listCodec(item: KindCodec): KindCodec<unknown[]> {
  return {
    read(value) {
      if (!Array.isArray(value) || value.length === 0) return undefined;
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        const typed = item.read(value[i] as LooseJson);
        if (typed === undefined) return undefined;
        out[i] = typed;
      }
      return out;
    },
    write(value, flags) {
      if (value.length === 0) return undefined;
      const out = new Array<LooseJson>(value.length);
      for (let i = 0; i < value.length; i++) {
        const json = item.write(value[i], flags);
        if (json === undefined) return undefined;
        out[i] = json;
      }
      return out;
    },
  };
}

/** A map<string, V> field: a non-empty object whose every value fits (as with lists, {} stays in extras). */
export function mapCodec(item: KindCodec): KindCodec<{ [key: string]: unknown }> {
  return {
    read(value) {
      if (!isLooseObject(value)) return undefined;
      const keys = Object.keys(value);
      if (keys.length === 0) return undefined;
      const out: { [key: string]: unknown } = {};
      for (const key of keys) {
        if (!isMapKey(key)) return undefined;
        const typed = item.read(value[key] as LooseJson);
        if (typed === undefined) return undefined;
        out[key] = typed;
      }
      return out;
    },
    write(value, flags) {
      const keys = Object.keys(value);
      if (keys.length === 0) return undefined;
      const out: LooseObject = {};
      for (const key of keys) {
        const json = item.write(value[key], flags);
        if (json === undefined) return undefined;
        out[key] = json;
      }
      return out;
    },
  };
}
