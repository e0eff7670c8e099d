import type { OneOf, Unknown } from "../gen/events/events.js";
import { stringifyJson, type JsonValue } from "./json.js";
import { parseLooseJson } from "./json-text.js";
import { isLooseObject, isWellFormed, type LooseObject } from "./loose-json.js";
import { UNKNOWN_CODE, UNKNOWN_TYPE, planOfCase } from "./event-schema.js";

/**
 * An event whose type Teleport's server has no message for travels as Teleport's server sends it: an
 * `Unknown` (OneOf variant 80) with type "unknown", code "TCC00E", the original type and code in
 * `UnknownType`/`UnknownCode` and the whole event as JSON text in `Data`, its metadata keys read as
 * Teleport reads them. The project marks it in its extras (`wraps_data`, skipped by a Teleport decoder),
 * so its own codec gives back the original event, never confusing it with a real "unknown" event (one
 * that Teleport itself wrote to the log), which has no mark.
 */

/** Metadata keys Teleport's unmarshal fills before it overwrites the type and code. */
const METADATA_KEYS = ["ei", "uid", "time", "cluster_name"] as const;

/** JSON text of an event object, numbers exact, lone surrogates as \u escapes (valid UTF-8). */
function eventText(object: LooseObject): string {
  return stringifyJson(object as JsonValue);
}

const toWellFormed = (text: string): string =>
  isWellFormed(text) ? text : (text as unknown as { toWellFormed(): string }).toWellFormed();

export function wrapUnknown(object: LooseObject): OneOf {
  const plan = planOfCase("unknown");
  const message = plan.create();
  for (const key of METADATA_KEYS) {
    const slot = plan.byKey.get(key);
    if (slot === undefined || !Object.hasOwn(object, key)) continue;
    const typed = slot.codec.read(object[key] ?? null);
    if (typed !== undefined) slot.set(message, typed);
  }
  plan.byKey.get("event")?.set(message, UNKNOWN_TYPE);
  plan.byKey.get("code")?.set(message, UNKNOWN_CODE);
  const type = object["event"];
  const code = object["code"];
  const unknown = message as unknown as Unknown;
  unknown.unknownType = typeof type === "string" ? toWellFormed(type) : "";
  unknown.unknownCode = typeof code === "string" ? toWellFormed(code) : "";
  unknown.data = eventText(object);
  unknown.extra = { fields: undefined, exactNumbers: {}, escapedMembers: undefined, wrapsData: true };
  return { event: { $case: "unknown", value: unknown } };
}

const unwrapped = new WeakMap<object, LooseObject | null>();

/**
 * The original event of an `Unknown` the project built; undefined for any other event (a real
 * "unknown" event included) and for one whose `Data` is not a JSON object.
 */
export function unwrapUnknown(event: OneOf): LooseObject | undefined {
  const variant = event.event;
  if (variant?.$case !== "unknown" || variant.value.extra?.wrapsData !== true) return undefined;
  const message = variant.value;
  let original = unwrapped.get(message);
  if (original === undefined) {
    original = null;
    try {
      const value = parseLooseJson(message.data ?? "");
      if (isLooseObject(value)) original = value;
    } catch {
      // Not JSON: the event is the Unknown itself.
    }
    unwrapped.set(message, original);
  }
  return original ?? undefined;
}
