import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import type { Event } from "../../../src/gen/tenants/tenants.js";
import { checkEventsText } from "../../../src/store/postgres/storable-text.js";
import { sampleEvent } from "../sample-events.js";

const batch = (...overrides: Partial<Event>[]) => overrides.map((o, i) => sampleEvent({ id: `e${i}`, ...o }));

describe("checkEventsText", () => {
  it.each<[string, Event[]]>([
    ["plain text", batch({}, { user: "bob" })],
    ["a surrogate pair", batch({ user: "smile \ud83d\ude00" })],
    ["a pair split over no field boundary", batch({ protocol: "\ud83d\ude00", cluster: "\ud83d\ude00" })],
    ["an empty batch", []],
  ])("accepts %s", (_, events) => {
    expect(() => checkEventsText(events)).not.toThrow();
  });

  it.each<[string, Event[], string]>([
    ["a NUL", batch({}, { user: "a\u0000b" }), "event 1: user"],
    ["a lone high surrogate", batch({ id: "x\ud800" }), "event 0: id"],
    ["a lone low surrogate", batch({}, {}, { sessionKind: "\udc00" }), "event 2: session_kind"],
    // Joined, these two would make a valid pair: each field is checked on its own.
    [
      "halves of a pair in neighbouring fields",
      batch({ user: "a\ud83d", protocol: "\ude00" }),
      "event 0: user",
    ],
    [
      "halves of a pair in neighbouring events",
      batch({ sessionKind: "\ud83d" }, { id: "\ude00" }),
      "event 0: session_kind",
    ],
  ])("refuses %s, naming the field", (_, events, where) => {
    expect(() => checkEventsText(events)).toThrow(InvalidArgumentError);
    expect(() => checkEventsText(events)).toThrow(`${where} contains NUL or an unpaired surrogate`);
  });
});
