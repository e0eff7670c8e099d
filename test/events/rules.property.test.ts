import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getUser, isActive, userKind } from "../../src/events/active-user.js";
import { eventFromJson, eventToJson } from "../../src/events/codec.js";
import { eventField } from "../../src/events/event-field.js";
import { clusterName, eventCode, eventId, eventTime, eventType } from "../../src/events/metadata.js";
import { protocolOf, sessionKind } from "../../src/events/protocol.js";
import { OneOf } from "../../src/gen/events/events.js";
import { anyEvent } from "./support/event-arbitraries.js";
import { allInExtras } from "./support/variants.js";
import { normalize } from "./support/json-equality.js";

/** The same JSON with nothing typed: every key in the extras of the same variant. */
const asUntyped = (event: OneOf): OneOf => allInExtras(event, eventToJson(event));

const rules = (event: OneOf) => ({
  type: eventType(event),
  id: eventId(event),
  time: eventTime(event)?.getTime(),
  code: eventCode(event),
  cluster: clusterName(event),
  user: getUser(event),
  active: isActive(event),
  kind: userKind(event),
  protocol: protocolOf(event),
  sessionKind: sessionKind(event),
});

describe("the rules do not depend on how an event is held", () => {
  it("typed, through protobuf, or untyped", () => {
    fc.assert(
      fc.property(anyEvent, (object) => {
        const event = eventFromJson(object);
        const expected = rules(event);
        expect(rules(OneOf.decode(OneOf.encode(event).finish()))).toEqual(expected);
        expect(rules(asUntyped(event))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("eventField reads every top-level key as the JSON has it", () => {
    fc.assert(
      fc.property(anyEvent, (object) => {
        const event = eventFromJson(object);
        for (const key of Object.keys(object)) {
          expect(normalize(eventField(event, key))).toEqual(normalize(object[key]));
          expect(normalize(eventField(asUntyped(event), key))).toEqual(normalize(object[key]));
        }
        expect(eventField(event, "no such key \u0001")).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
