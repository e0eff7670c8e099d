import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventFromJson, eventToJson, formatEvent, parseEvent } from "../../src/events/codec.js";
import { TYPED_EVENT_TYPES, planOfType } from "../../src/events/event-schema.js";
import { unwrapUnknown } from "../../src/events/unknown-wrapper.js";
import { parseJson, stringifyJson } from "../../src/events/json.js";
import { OneOf } from "../../src/gen/events/events.js";
import { anyEvent, knownEvent, unknownEvent } from "./support/event-arbitraries.js";
import { normalize } from "./support/json-equality.js";

const binaryRoundTrip = (event: OneOf): OneOf => OneOf.decode(OneOf.encode(event).finish());

describe("event codec properties", () => {
  it("eventToJson(eventFromJson(x)) is x, numbers by exact value", () => {
    fc.assert(
      fc.property(anyEvent, (object) => {
        expect(normalize(eventToJson(eventFromJson(object)))).toEqual(normalize(object));
      }),
      { numRuns: 500 },
    );
  });

  it("survives a protobuf binary round trip", () => {
    fc.assert(
      fc.property(anyEvent, (object) => {
        const decoded = binaryRoundTrip(eventFromJson(object));
        expect(normalize(eventToJson(decoded))).toEqual(normalize(object));
      }),
      { numRuns: 500 },
    );
  });

  it("formatEvent(parseEvent(text)) is the same JSON, directly and through protobuf", () => {
    fc.assert(
      fc.property(anyEvent, (object) => {
        const text = stringifyJson(object);
        const event = parseEvent(text);
        expect(normalize(parseJson(formatEvent(event)))).toEqual(normalize(object));
        expect(normalize(parseJson(formatEvent(binaryRoundTrip(event))))).toEqual(normalize(object));
      }),
      { numRuns: 500 },
    );
  });

  it("parses text and objects alike", () => {
    fc.assert(
      fc.property(anyEvent, (object) => {
        const text = stringifyJson(object);
        expect(normalize(eventToJson(parseEvent(text)))).toEqual(
          normalize(eventToJson(eventFromJson(object))),
        );
      }),
    );
  });

  it("types every event of a type Teleport's server types, as the message its server would", () => {
    fc.assert(
      fc.property(knownEvent, (object) => {
        const event = eventFromJson(object);
        const type = object["event"] as string;
        expect(TYPED_EVENT_TYPES).toContain(type);
        expect(event.event?.$case).toBe(planOfType(type)?.$case);
        expect(unwrapUnknown(event)).toBeUndefined();
      }),
    );
  });

  it("sends every other event as Teleport's Unknown", () => {
    fc.assert(
      fc.property(unknownEvent, (object) => {
        const event = OneOf.decode(OneOf.encode(eventFromJson(object)).finish());
        const variant = event.event;
        expect(variant?.$case).toBe("unknown");
        if (variant?.$case !== "unknown") return;
        expect(variant.value.metadata?.type).toBe("unknown");
        expect(variant.value.metadata?.code).toBe("TCC00E");
        expect(normalize(parseJson(variant.value.data ?? ""))).toEqual(normalize(object));
      }),
    );
  });
});
