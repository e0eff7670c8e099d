import { parseEvent } from "../../../src/events/codec.js";
import { OneOf } from "../../../src/gen/events/events.js";

/**
 * One event JSON text held every way an event can be: as the codec types it, after a protobuf round
 * trip, and as a hand-built Unstructured (the rules must not depend on the variant).
 */
export function variantsOf(text: string): [string, OneOf][] {
  const event = parseEvent(text);
  const data = JSON.parse(text) as Record<string, unknown>;
  const type = typeof data["event"] === "string" ? data["event"] : "";
  return [
    ["parsed", event],
    ["via protobuf", OneOf.decode(OneOf.encode(event).finish())],
    ["unstructured", { event: { $case: "unstructured", value: { type, data, exactNumbers: {} } } }],
  ];
}
