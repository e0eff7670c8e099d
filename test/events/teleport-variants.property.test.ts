import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventFromJson, eventToJson, formatEvent, parseEvent } from "../../src/events/codec.js";
import { eventPlans } from "../../src/events/event-schema.js";
import { stringifyJson, parseJson, type JsonObject } from "../../src/events/json.js";
import { EVENT_TYPES } from "../../src/gen/events/teleport-schema.js";
import { OneOf } from "../../src/gen/events/events.js";
import { messageObject } from "./support/event-arbitraries.js";
import { normalize } from "./support/json-equality.js";

/**
 * JSON → OneOf → binary → JSON for every one of Teleport's 267 OneOf variants, over generated hostile
 * events (each key of the message valid or not, unknown keys, any order): the codec gives back the JSON
 * it read. The 16 variants Teleport's server has no type string for (its newest) are never built from
 * JSON (such an event is an Unknown), so for them the typed message is built from the keys that fit and
 * must come back as exactly those keys.
 */

const viaBinary = (event: OneOf): OneOf => OneOf.decode(OneOf.encode(event).finish());
const plans = eventPlans();
const typesOf = (message: string) => EVENT_TYPES.filter(([, m]) => m === message).map(([type]) => type);

describe("every OneOf variant round-trips", () => {
  it("covers Teleport's 267 variants, 251 of them with a type string", () => {
    expect(plans).toHaveLength(267);
    expect(plans.filter((plan) => typesOf(plan.name).length > 0)).toHaveLength(251);
  });

  describe.each(plans.map((plan) => [plan.$case, plan] as const))("%s", (_case, plan) => {
    const types = typesOf(plan.name);
    if (types.length > 0) {
      it("from JSON of any of its types, directly and through protobuf", () => {
        fc.assert(
          fc.property(messageObject(plan, fc.constantFrom(...types)), (object) => {
            const event = eventFromJson(object);
            expect(event.event?.$case).toBe(plan.$case);
            const decoded = viaBinary(event);
            expect(normalize(eventToJson(decoded))).toEqual(normalize(object));
            expect(normalize(parseJson(formatEvent(viaBinary(parseEvent(stringifyJson(object))))))).toEqual(
              normalize(object),
            );
          }),
          { numRuns: 15 },
        );
      });
    } else {
      it("from the keys of its message that fit", () => {
        fc.assert(
          fc.property(messageObject(plan, fc.constant(undefined)), (object) => {
            const message = plan.create();
            const fitting: JsonObject = {};
            for (const key of Object.keys(object)) {
              const slot = plan.byKey.get(key);
              const typed = slot?.codec.read(object[key] ?? null);
              if (slot !== undefined && typed !== undefined && slot.set(message, typed)) {
                fitting[key] = object[key] ?? null;
              }
            }
            const event = { event: { $case: plan.$case, value: message } } as unknown as OneOf;
            expect(normalize(eventToJson(viaBinary(event)))).toEqual(normalize(fitting));
            // As JSON without a type Teleport knows, the event goes out as an Unknown and comes back whole.
            expect(normalize(eventToJson(viaBinary(eventFromJson(object))))).toEqual(normalize(object));
          }),
          { numRuns: 15 },
        );
      });
    }
  });
});
