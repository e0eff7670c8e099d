import type { ExtraFields, OneOf } from "../gen/events/events.js";
import type { Timestamp } from "../gen/google/protobuf/timestamp.js";
import { LosslessNumber, type JsonValue } from "./json.js";
import { planOfCase } from "./event-schema.js";
import { SCALAR_CODECS } from "./field-kinds.js";
import type { Bag, Slot } from "./message-plan.js";
import { unpackMembers } from "./struct-members.js";
import { toLossless, type LooseJson } from "./loose-json.js";
import { toExactDouble } from "./decimal.js";
import { parseTimestamp, timestampToDate } from "./rfc3339.js";
import { unwrapUnknown } from "./unknown-wrapper.js";

/**
 * Reading one top-level JSON key of an event whichever way the event holds it: a typed field of any
 * variant, a member of its extras (unknown key or unfit value), or a member of the original event an
 * `Unknown` wraps. Rules read events through this, so they give the same answer for every variant.
 */

type Found =
  { readonly slot: Slot; readonly value: unknown } | { readonly slot: undefined; readonly value: LooseJson };

function find(event: OneOf, key: string): Found | undefined {
  const variant = event.event;
  if (variant === undefined) return undefined;
  const original = unwrapUnknown(event);
  if (original !== undefined) return member(original, key);
  const message = variant.value as unknown as Bag;
  const slot = planOfCase(variant.$case).byKey.get(key);
  if (slot !== undefined) {
    const value = slot.get(message);
    // Empty lists and maps are never typed by the codec (JSON would not show them): treat them as absent.
    if (value !== undefined && slot.codec.write(value, { lossless: false }) !== undefined)
      return { slot, value };
  }
  const extra = message["extra"] as ExtraFields | undefined;
  if (extra === undefined) return undefined;
  return member(
    unpackMembers(extra.fields, extra.exactNumbers, extra.escapedMembers, { lossless: false }),
    key,
  );
}

function member(members: { [key: string]: LooseJson }, key: string): Found | undefined {
  return Object.hasOwn(members, key) ? { slot: undefined, value: members[key] as LooseJson } : undefined;
}

/** The value of a top-level key as Teleport's JSON has it (numbers as `LosslessNumber`), if present. */
export function eventField(event: OneOf, key: string): JsonValue | undefined {
  const found = find(event, key);
  if (found === undefined) return undefined;
  if (found.slot === undefined) return toLossless(found.value) as JsonValue;
  const value = found.slot.codec.write(found.value, { lossless: false });
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
  if (found.slot?.codec === SCALAR_CODECS.timestamp) return timestampToDate(found.value as Timestamp);
  if (typeof found.value !== "string") return undefined;
  const timestamp = parseTimestamp(found.value);
  return timestamp === undefined ? undefined : timestampToDate(timestamp);
}
