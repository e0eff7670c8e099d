import type { OneOf } from "../gen/events/events.js";
import { InvalidArgumentError } from "../errors/errors.js";
import { stringifyJson, type JsonObject } from "./json.js";

// Provisional: carries every event as Unstructured. Replaced by the typed, lossless codec.

/** Parses one Teleport event JSON text. @throws InvalidArgumentError when it is not a JSON object. */
export function parseEvent(text: string): OneOf {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError("event is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError("event is not a JSON object");
  }
  const data = value as Record<string, unknown>;
  const type = typeof data["event"] === "string" ? data["event"] : "";
  return { event: { $case: "unstructured", value: { type, data, exactNumbers: {} } } };
}

/** Converts a Teleport event object (e.g. decoded from a DynamoDB item) to an event. */
export function eventFromJson(object: JsonObject): OneOf {
  const type = typeof object["event"] === "string" ? object["event"] : "";
  return {
    event: {
      $case: "unstructured",
      value: { type, data: JSON.parse(stringifyJson(object)) as Record<string, unknown>, exactNumbers: {} },
    },
  };
}

/** Formats an event as Teleport's JSON text (one line). */
export function formatEvent(event: OneOf): string {
  if (event.event?.$case === "unstructured") return JSON.stringify(event.event.value.data ?? {});
  throw new Error(`formatEvent: ${event.event?.$case ?? "empty"} not supported yet`);
}
