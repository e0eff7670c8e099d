import type { ExtraFields, OneOf } from "../gen/events/events.js";
import { InvalidArgumentError } from "../errors/errors.js";
import { stringifyJson, type JsonObject } from "./json.js";
import { KIND_CODECS, type KindCodec } from "./field-kinds.js";
import { specOfCase, specOfType } from "./event-schema.js";
import { packMembers, unpackMembers, type PackedMembers } from "./struct-members.js";
import { parseLooseJson } from "./json-text.js";
import { isLooseObject, setMember, toLossless, type LooseJson, type LooseObject } from "./loose-json.js";

/**
 * The typed, lossless codec between Teleport event JSON and `events.OneOf`. One generic walker driven
 * by the mapping tables in event-schema.ts: every key with a typed field whose value fits it goes
 * there, everything else to `extra`; types without a typed message travel whole as Unstructured.
 * `eventToJson(eventFromJson(x))` equals x (numbers by exact value), also after a binary round trip.
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
  const spec = typeof type === "string" ? specOfType(type) : undefined;
  if (spec === undefined) {
    const packed = packMembers(Object.entries(object));
    return {
      event: {
        $case: "unstructured",
        value: {
          type: typeof type === "string" ? type : "",
          data: packed.fields ?? {},
          exactNumbers: packed.exactNumbers,
          escapedMembers: packed.escapedMembers,
        },
      },
    };
  }
  const message = spec.create();
  let extras: [string, LooseJson][] | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key] as LooseJson;
    const entry = spec.byKey.get(key);
    if (entry !== undefined) {
      const typed = KIND_CODECS[entry.kind].read(value);
      if (typed !== undefined) {
        entry.set(message, typed);
        continue;
      }
    }
    (extras ??= []).push([key, value]);
  }
  if (extras !== undefined) message.extra = extraFields(packMembers(extras));
  return { event: { $case: spec.$case, value: message } } as OneOf;
}

function extraFields(packed: PackedMembers): ExtraFields {
  return { fields: packed.fields, exactNumbers: packed.exactNumbers, escapedMembers: packed.escapedMembers };
}

/** The event's JSON members, numbers as doubles where exact; `flags.lossless` when any is not. */
function encode(event: OneOf, flags: { lossless: boolean }): LooseObject {
  const variant = event.event;
  if (variant === undefined) return {};
  if (variant.$case === "unstructured") {
    const { data, exactNumbers, escapedMembers } = variant.value;
    return unpackMembers(data, exactNumbers, escapedMembers, flags);
  }
  const spec = specOfCase(variant.$case);
  const message = variant.value;
  const extra =
    message.extra === undefined
      ? undefined
      : unpackMembers(message.extra.fields, message.extra.exactNumbers, message.extra.escapedMembers, flags);
  const out: LooseObject = {};
  for (const entry of spec.entries) {
    const typed = entry.get(message);
    let value =
      typed === undefined ? undefined : (KIND_CODECS[entry.kind] as KindCodec<unknown>).write(typed, flags);
    if (value === undefined && extra !== undefined && Object.hasOwn(extra, entry.key))
      value = extra[entry.key];
    // The case implies the type when a hand-built event leaves it out.
    if (value === undefined && entry.key === "event") value = spec.type;
    if (value !== undefined) out[entry.key] = value;
  }
  if (extra !== undefined) {
    for (const key of Object.keys(extra)) {
      if (!Object.hasOwn(out, key)) setMember(out, key, extra[key] as LooseJson);
    }
  }
  return out;
}
