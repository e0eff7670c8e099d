import { parseEvent } from "../../../src/events/codec.js";
import { planOfCase } from "../../../src/events/event-schema.js";
import { packMembers } from "../../../src/events/struct-members.js";
import { unwrapUnknown } from "../../../src/events/unknown-wrapper.js";
import type { LooseObject } from "../../../src/events/loose-json.js";
import { OneOf } from "../../../src/gen/events/events.js";

/**
 * The same event JSON held as the codec builds it, with nothing typed (every key in the extras of the
 * same variant, as a hand-built or older event may have it): the rules must not depend on which.
 * An event Teleport cannot type is its `Unknown` either way.
 */
export function allInExtras(event: OneOf, object: LooseObject): OneOf {
  const variant = event.event;
  if (variant === undefined || unwrapUnknown(event) !== undefined) return event;
  const packed = packMembers(Object.entries(object));
  const value = {
    ...planOfCase(variant.$case).create(),
    extra: {
      fields: packed.fields,
      exactNumbers: packed.exactNumbers,
      escapedMembers: packed.escapedMembers,
      wrapsData: false,
    },
  };
  return { event: { $case: variant.$case, value } } as unknown as OneOf;
}

/** One event JSON text held every way an event can be: as parsed, after a protobuf round trip, untyped. */
export function variantsOf(text: string): [string, OneOf][] {
  const event = parseEvent(text);
  return [
    ["parsed", event],
    ["via protobuf", OneOf.decode(OneOf.encode(event).finish())],
    ["all in extras", allInExtras(event, JSON.parse(text) as LooseObject)],
  ];
}
