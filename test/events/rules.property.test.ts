import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getUser, isActive, userKind } from "../../src/events/active-user.js";
import { eventFromJson, eventToJson } from "../../src/events/codec.js";
import { eventField } from "../../src/events/event-field.js";
import { clusterName, eventCode, eventId, eventTime, eventType } from "../../src/events/metadata.js";
import { protocolOf, sessionKind } from "../../src/events/protocol.js";
import { packMembers } from "../../src/events/struct-members.js";
import { OneOf } from "../../src/gen/events/events.js";
import { anyEvent } from "./support/event-arbitraries.js";
import { normalize } from "./support/json-equality.js";

/** The same JSON held as Unstructured, whatever its type. */
function asUnstructured(event: OneOf): OneOf {
  const json = eventToJson(event);
  const packed = packMembers(Object.entries(json));
  const type = json["event"];
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
  it("typed, through protobuf, or Unstructured", () => {
    fc.assert(
      fc.property(anyEvent, (object) => {
        const event = eventFromJson(object);
        const expected = rules(event);
        expect(rules(OneOf.decode(OneOf.encode(event).finish()))).toEqual(expected);
        expect(rules(asUnstructured(event))).toEqual(expected);
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
          expect(normalize(eventField(asUnstructured(event), key))).toEqual(normalize(object[key]));
        }
        expect(eventField(event, "no such key \u0001")).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
