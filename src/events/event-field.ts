import type { OneOf } from "../gen/events/events.js";
import type { Timestamp } from "../gen/google/protobuf/timestamp.js";
import { LosslessNumber, type JsonValue } from "./json.js";
import { KIND_CODECS, type Kind, type KindCodec } from "./field-kinds.js";
import { specOfCase } from "./event-schema.js";
import { unpackMembers } from "./struct-members.js";
import { toLossless, type LooseJson } from "./loose-json.js";
import { toExactDouble } from "./decimal.js";
import { parseTimestamp, timestampToDate } from "./rfc3339.js";

/**
 * Reading one top-level JSON key of an event whichever way the event holds it: a typed field, a member
 * of `extra` (unknown key or unfit value), or a member of Unstructured data. Rules read events through
 * this, so they give the same answer for every variant.
 */

type Found =
  { readonly kind: Kind; readonly value: unknown } | { readonly kind: "json"; readonly value: LooseJson };

function find(event: OneOf, key: string): Found | undefined {
  const variant = event.event;
  if (variant === undefined) return undefined;
  if (variant.$case === "unstructured") {
    const { data, exactNumbers, escapedMembers } = variant.value;
    return member(unpackMembers(data, exactNumbers, escapedMembers, { lossless: false }), key);
  }
  const message = variant.value;
  const entry = specOfCase(variant.$case).byKey.get(key);
  if (entry !== undefined) {
    const value = entry.get(message);
    // Empty lists and maps are never typed by the codec: treat them as absent.
    const present =
      value !== undefined &&
      !(entry.kind === "stringList" && (value as string[]).length === 0) &&
      !(entry.kind === "stringMap" && Object.keys(value as object).length === 0);
    if (present) return { kind: entry.kind, value };
  }
  const extra = message.extra;
  if (extra === undefined) return undefined;
  return member(
    unpackMembers(extra.fields, extra.exactNumbers, extra.escapedMembers, { lossless: false }),
    key,
  );
}

function member(members: { [key: string]: LooseJson }, key: string): Found | undefined {
  return Object.hasOwn(members, key) ? { kind: "json", value: members[key] as LooseJson } : undefined;
}

/** The value of a top-level key as Teleport's JSON has it (numbers as `LosslessNumber`), if present. */
export function eventField(event: OneOf, key: string): JsonValue | undefined {
  const found = find(event, key);
  if (found === undefined) return undefined;
  if (found.kind === "json") return toLossless(found.value) as JsonValue;
  const value = (KIND_CODECS[found.kind] as KindCodec<unknown>).write(found.value, { lossless: false });
  return value === undefined ? undefined : (toLossless(value) as JsonValue);
}

/** A string-valued key, undefined when absent or not a string. */
export function stringField(event: OneOf, key: string): string | undefined {
  const value = find(event, key)?.value;
  return typeof value === "string" ? value : undefined;
}

/** A boolean-valued key, undefined when absent or not a boolean. */
export function boolField(event: OneOf, key: string): boolean | undefined {
  const value = find(event, key)?.value;
  return typeof value === "boolean" ? value : undefined;
}

/** A number-valued key as a double, undefined when absent, not a number, or not exactly a double. */
export function numberField(event: OneOf, key: string): number | undefined {
  const value = find(event, key)?.value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
  return value instanceof LosslessNumber ? toExactDouble(value.value) : undefined;
}

/** A time-valued key (any RFC 3339 spelling when it is not a typed timestamp), as a Date. */
export function timeField(event: OneOf, key: string): Date | undefined {
  const found = find(event, key);
  if (found === undefined) return undefined;
  if (found.kind === "timestamp") return timestampToDate(found.value as Timestamp);
  if (typeof found.value !== "string") return undefined;
  const timestamp = parseTimestamp(found.value);
  return timestamp === undefined ? undefined : timestampToDate(timestamp);
}
