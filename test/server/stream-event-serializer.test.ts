import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventFromJson } from "../../src/events/codec.js";
import { AuthServiceService, StreamEvent } from "../../src/gen/auth/auth.js";
import { AUTH_SERVICE_DEFINITION, serializeStreamEvent } from "../../src/server/stream-event-serializer.js";
import { anyEvent, anyString } from "../events/support/event-arbitraries.js";

const streamEvent: fc.Arbitrary<StreamEvent> = fc
  .tuple(anyEvent, fc.oneof(anyString, fc.constant("")))
  .map(([object, cursor]) => ({ event: eventFromJson(object), cursor }));

const reference = (event: StreamEvent): Uint8Array => StreamEvent.encode(event).finish();

describe("serializeStreamEvent", () => {
  it("is byte for byte StreamEvent.encode, for any event and cursor, call after call", () => {
    fc.assert(
      fc.property(fc.array(streamEvent, { minLength: 1, maxLength: 5 }), (events) => {
        const serialized = events.map(serializeStreamEvent);
        serialized.forEach((bytes, i) =>
          expect(new Uint8Array(bytes)).toEqual(reference(events[i] as StreamEvent)),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("is byte for byte StreamEvent.encode with no event or an empty one", () => {
    for (const event of [{ cursor: "c" }, { event: {}, cursor: "" }] as StreamEvent[]) {
      expect(new Uint8Array(serializeStreamEvent(event))).toEqual(reference(event));
    }
  });

  it("leaves nothing behind when encoding throws half-way", () => {
    const good: StreamEvent = { event: eventFromJson({ event: "user.login", user: "alice" }), cursor: "c1" };
    const bad = eventFromJson({ event: "user.login", user: "bob" });
    if (bad.event?.$case !== "userLogin") throw new Error("expected a typed user.login");
    // An int64 beyond 64 bits: the generated encoder throws inside the event's nested messages.
    bad.event.value.metadata = { ...bad.event.value.metadata, index: 2n ** 70n };
    expect(() => serializeStreamEvent({ event: bad, cursor: "c2" })).toThrow("too large");
    expect(new Uint8Array(serializeStreamEvent(good))).toEqual(reference(good));
  });

  it("replaces only StreamEvents' response serializer in AuthService's definition", () => {
    expect(AUTH_SERVICE_DEFINITION.streamEvents.responseSerialize).toBe(serializeStreamEvent);
    const { responseSerialize: _ours, ...rest } = AUTH_SERVICE_DEFINITION.streamEvents;
    const { responseSerialize: _generated, ...generated } = AuthServiceService.streamEvents;
    expect(rest).toEqual(generated);
  });
});
