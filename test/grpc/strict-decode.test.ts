import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Event,
  SubmitEventsRequest,
  SubmitUsageReportsRequest,
  UsageReport,
} from "../../src/gen/tenants/tenants.js";
import { decodeStrict } from "../../src/grpc/strict-decode.js";
import { activityEvent, usageReport } from "../activity/sample-activity.js";
import { hostileString } from "../text/unicode-arbitraries.js";
import { lengthDelimited } from "./raw-calls.js";

const decodeEvents = (bytes: Uint8Array) =>
  decodeStrict(bytes, (reader) => SubmitEventsRequest.decode(reader), "SubmitEventsRequest");

/** An event on the wire whose string field `field` holds `bytes` as they are. */
function eventWith(field: number, bytes: Uint8Array, base: Partial<Event> = {}): Buffer {
  return lengthDelimited(
    1,
    Buffer.concat([Buffer.from(Event.encode(activityEvent(base)).finish()), lengthDelimited(field, bytes)]),
  );
}

describe("decodeStrict", () => {
  it("decodes a valid request as the generated decoder does, a leading U+FEFF kept", () => {
    const request = { events: [activityEvent({ id: "\ufeffé-1", cluster: "😀" })] };
    const decoded = decodeEvents(SubmitEventsRequest.encode(request).finish());
    expect(decoded.problem).toBeUndefined();
    expect(decoded.message).toEqual(request);
  });

  it.each([
    ["a byte that is never UTF-8", 1, [0x62, 0xff], "events[1].id is not valid UTF-8"],
    ["a surrogate in CESU-8", 8, [0xed, 0xa0, 0x80], "events[1].session_kind is not valid UTF-8"],
    ["a cut character", 4, [0xf0, 0x9f, 0x98], "events[1].user is not valid UTF-8"],
    ["an overlong encoding", 3, [0xc0, 0xaf], "events[1].type is not valid UTF-8"],
  ])("refuses %s, naming the field and not the content", (_name, field, bytes, problem) => {
    const wire = Buffer.concat([eventWith(1, Buffer.from("ok")), eventWith(field, Buffer.from(bytes))]);
    const decoded = decodeEvents(wire);
    expect(decoded.message).toBeUndefined();
    expect(decoded.problem).toBe(problem);
  });

  it("counts every invalid string and names the first", () => {
    const wire = Buffer.concat([
      eventWith(1, Buffer.from([0x62, 0x61, 0x64, 0x2d, 0xff])),
      eventWith(1, Buffer.from([0x62, 0x61, 0x64, 0x2d, 0xfe])),
    ]);
    expect(decodeEvents(wire).problem).toBe("events[0].id is not valid UTF-8 (2 strings in all)");
  });

  it("names a usage report's field", () => {
    const report = Buffer.from(UsageReport.encode(usageReport({ cluster: "" })).finish());
    const wire = lengthDelimited(1, Buffer.concat([report, lengthDelimited(2, Buffer.from([0xff]))]));
    const decoded = decodeStrict(
      wire,
      (reader) => SubmitUsageReportsRequest.decode(reader),
      "SubmitUsageReportsRequest",
    );
    expect(decoded.problem).toBe("reports[0].cluster is not valid UTF-8");
  });

  it.each([
    ["a truncated field", [0x0a, 0x05, 0x01]],
    ["an invalid wire type", [0x0f]],
    ["a varint that never ends", [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ])("reports %s as a malformed request instead of throwing", (_name, bytes) => {
    const decoded = decodeEvents(Buffer.from(bytes));
    expect(decoded.message).toBeUndefined();
    expect(decoded.problem).toMatch(/^the request is not a valid SubmitEventsRequest message/);
  });

  it("never throws, and agrees with the generated decoder on every valid request", () => {
    const text = hostileString({ maxLength: 20 });
    const request = fc
      .array(fc.record({ id: text, type: text, user: text, cluster: text }), { maxLength: 3 })
      .map((events) => SubmitEventsRequest.encode({ events: events.map((e) => activityEvent(e)) }).finish());
    fc.assert(
      fc.property(fc.oneof(request, fc.uint8Array({ maxLength: 64 })), (bytes) => {
        const decoded = decodeEvents(bytes);
        if (decoded.problem === undefined) {
          expect(decoded.message).toEqual(SubmitEventsRequest.decode(bytes));
        } else {
          expect(decoded.problem.length).toBeLessThan(200);
        }
      }),
    );
  });
});
