import type { ExtraFields, OneOf } from "../gen/events/events.js";
import { InvalidArgumentError } from "../errors/errors.js";
import { stringifyJson, type JsonObject } from "./json.js";
import { planOfCase, planOfType } from "./event-schema.js";
import type { Bag } from "./message-plan.js";
import { packMembers, unpackMembers, type PackedMembers } from "./struct-members.js";
import { parseLooseJson } from "./json-text.js";
import { isLooseObject, setMember, toLossless, type LooseJson, type LooseObject } from "./loose-json.js";
import { unwrapUnknown, wrapUnknown } from "./unknown-wrapper.js";

/**
 * The typed, lossless codec between Teleport event JSON and Teleport's `events.OneOf`. One generic walker
 * driven by the plans built from the facts table (message-plan.ts): every key with a typed field whose
 * value fits it goes there, everything else to the message's extras; a type Teleport's server has no
 * message for travels as its `Unknown` (unknown-wrapper.ts). `eventToJson(eventFromJson(x))` equals x
 * (numbers by exact value), also after a binary round trip.
 */

const MAX_MESSAGE_TEXT = 200;

function describe(value: LooseJson): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "a number";
  return `a ${typeof value}`;
}

/** Parses one Teleport event JSON text. @throws InvalidArgumentError when it is not a JSON object. */
export function parseEvent(text: string): OneOf {
  let value: LooseJson;
  try {
    value = parseLooseJson(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidArgumentError(`event is not valid JSON: ${reason.slice(0, MAX_MESSAGE_TEXT)}`, {
      cause: error,
    });
  }
  if (!isLooseObject(value)) {
    throw new InvalidArgumentError(`event is not a JSON object: got ${describe(value)}`);
  }
  return decode(value);
}

/**
 * Converts a Teleport event object (e.g. decoded from a DynamoDB item) to an event. The event may share
 * strings and number-free objects with `object`. @throws InvalidArgumentError when it is not an object.
 */
export function eventFromJson(object: JsonObject): OneOf {
  if (!isLooseObject(object)) throw new InvalidArgumentError("event is not a JSON object");
  return decode(object);
}

/** The event as Teleport's JSON object, every number a `LosslessNumber`. */
export function eventToJson(event: OneOf): JsonObject {
  return toLossless(encode(event, { lossless: false })) as JsonObject;
}

/** Formats an event as Teleport's JSON text (one line). */
export function formatEvent(event: OneOf): string {
  const flags = { lossless: false };
  const object = encode(event, flags);
  return flags.lossless ? stringifyJson(object as JsonObject) : JSON.stringify(object);
}

function decode(object: LooseObject): OneOf {
  const type = object["event"];
  const plan = typeof type === "string" ? planOfType(type) : undefined;
  if (plan === undefined) return wrapUnknown(object);
  const message = plan.create();
  let extras: [string, LooseJson][] | undefined;
  // for-in rather than Object.keys: no array per event; parsed JSON objects inherit nothing enumerable.
  for (const key in object) {
    const value = object[key] as LooseJson;
    const slot = plan.byKey.get(key);
    if (slot !== undefined) {
      const typed = slot.codec.read(value);
      if (typed !== undefined && slot.set(message, typed)) continue;
    }
    (extras ??= []).push([key, value]);
  }
  if (extras !== undefined) message["extra"] = extraFields(packMembers(extras));
  return { event: { $case: plan.$case, value: message } } as unknown as OneOf;
}

function extraFields(packed: PackedMembers): ExtraFields {
  return {
    fields: packed.fields,
    exactNumbers: packed.exactNumbers,
    escapedMembers: packed.escapedMembers,
    wrapsData: false,
  };
}

/** The event's JSON members, numbers as doubles where exact; `flags.lossless` when any is not. */
function encode(event: OneOf, flags: { lossless: boolean }): LooseObject {
  const variant = event.event;
  if (variant === undefined) return {};
  const original = unwrapUnknown(event);
  if (original !== undefined) {
    flags.lossless = true;
    return original;
  }
  const plan = planOfCase(variant.$case);
  const message = variant.value as unknown as Bag;
  const extraField = message["extra"] as ExtraFields | undefined;
  const extra =
    extraField === undefined
      ? undefined
      : unpackMembers(extraField.fields, extraField.exactNumbers, extraField.escapedMembers, flags);
  const out: LooseObject = {};
  for (const group of plan.groups) {
    // An absent embedded message has no key to write, unless the extras hold one in its place (or it
    // holds the type, which the variant implies).
    const absent = group.embedded !== undefined && message[group.embedded] === undefined;
    if (absent && extra === undefined && !(group.holdsType && plan.defaultType !== "")) continue;
    for (const slot of group.slots) {
      const typed = slot.get(message);
      let value = typed === undefined ? undefined : slot.codec.write(typed, flags);
      if (value === undefined && extra !== undefined && Object.hasOwn(extra, slot.key))
        value = extra[slot.key];
      // The variant implies the type when a hand-built event leaves it out.
      if (value === undefined && slot.key === "event" && plan.defaultType !== "") value = plan.defaultType;
      if (value !== undefined) setMember(out, slot.key, value);
    }
  }
  if (extra !== undefined) {
    for (const key of Object.keys(extra)) {
      if (!Object.hasOwn(out, key)) setMember(out, key, extra[key] as LooseJson);
    }
  }
  return out;
}
