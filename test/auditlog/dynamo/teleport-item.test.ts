import { describe, expect, it } from "vitest";
import { eventFromItem, itemFromEvent } from "../../../src/auditlog/dynamo/teleport-item.js";
import type { Item } from "../../../src/auditlog/dynamo/streams-client.js";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import { LosslessNumber, parseJson, stringifyJson, type JsonObject } from "../../../src/events/json.js";
import { fixtureEvents, fixtureStreamRecords } from "./fixtures.js";

const uidOf = (event: JsonObject) => event["uid"] as string;

describe("Teleport's events table items", () => {
  const records = fixtureStreamRecords();
  const events = new Map(fixtureEvents().map((e) => [uidOf(e), e]));

  it("every fixture item's FieldsMap is the Teleport event, numbers exact", () => {
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      const content = eventFromItem(record.newImage as Item);
      if (content.kind !== "event") throw new Error(`expected an event, got ${content.kind}`);
      const original = events.get(uidOf(content.event));
      expect(original, `fixture event ${uidOf(content.event)}`).toBeDefined();
      expect(content.event).toEqual(original);
    }
  });

  it("writes every fixture event as the item Teleport wrote (Expires counts from the write time)", () => {
    for (const record of records) {
      const image = record.newImage as Item;
      const sessionId = (image["SessionID"] as { S: string }).S;
      const content = eventFromItem(image);
      if (content.kind !== "event") throw new Error("expected an event");
      const event = events.get(uidOf(content.event)) as JsonObject;
      const expires = Number((image["Expires"] as { N: string }).N);
      const item = itemFromEvent(event, {
        newSessionId: () => sessionId,
        now: () => (expires - 365 * 86400) * 1000,
      });
      expect(item).toEqual(image);
      const created = Number((image["CreatedAt"] as { N: string }).N);
      expect(expires - created - 365 * 86400).toBeGreaterThanOrEqual(0);
      expect(expires - created - 365 * 86400).toBeLessThan(5);
    }
  });

  it("uses the session id when there is one and a fresh UUID otherwise", () => {
    const base = { event: "user.login", time: "2026-09-01T00:00:00Z" };
    expect(itemFromEvent({ ...base, sid: "s-1" })["SessionID"]).toEqual({ S: "s-1" });
    const fresh = itemFromEvent(base)["SessionID"] as { S: string };
    expect(fresh.S).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("keeps an index beyond 2^53 exact as EventIndex and inside FieldsMap", () => {
    const event = parseJson(
      '{"event":"session.data","ei":18446744073709551615,"time":"2026-09-01T10:00:00.123456789Z","sid":"s"}',
    ) as JsonObject;
    const item = itemFromEvent(event);
    expect(item["EventIndex"]).toEqual({ N: "18446744073709551615" });
    expect(item["CreatedAt"]).toEqual({ N: String(Date.UTC(2026, 8, 1, 10) / 1000) });
    expect(item["CreatedAtDate"]).toEqual({ S: "2026-09-01" });
    const back = eventFromItem(item);
    expect(back.kind === "event" && stringifyJson(back.event)).toBe(stringifyJson(event));
  });

  it("dates the item by the event's UTC time and expires it a year (or the retention given) after writing", () => {
    const event = { event: "user.login", time: "2026-09-01T00:00:00+02:00" };
    const created = Date.UTC(2026, 7, 31, 22) / 1000;
    const now = () => Date.UTC(2026, 8, 2, 0, 0, 0, 900);
    const written = Date.UTC(2026, 8, 2) / 1000;
    expect(itemFromEvent(event)["CreatedAt"]).toEqual({ N: String(created) });
    expect(itemFromEvent(event)["CreatedAtDate"]).toEqual({ S: "2026-08-31" });
    expect(itemFromEvent(event, { now })["Expires"]).toEqual({ N: String(written + 365 * 86400) });
    expect(itemFromEvent(event, { now, retentionSeconds: 60 })["Expires"]).toEqual({
      N: String(written + 60),
    });
  });

  it.each<[string, JsonObject, RegExp]>([
    ["no type", { time: "2026-09-01T00:00:00Z" }, /no "event" type/],
    ["no time", { event: "user.login" }, /no "time"/],
    ["a bad time", { event: "user.login", time: "yesterday" }, /^event "time" is not an RFC 3339 time$/],
    [
      "a fractional index",
      { event: "x", time: "2026-09-01T00:00:00Z", ei: new LosslessNumber("1.5") },
      /integer/,
    ],
  ])("refuses an event with %s", (_name, event, message) => {
    expect(() => itemFromEvent(event)).toThrow(InvalidArgumentError);
    expect(() => itemFromEvent(event)).toThrow(message);
  });

  it.each<[string, Item, string]>([
    ["legacy Fields JSON string", { Fields: { S: '{"event":"x","ei":123456789012345678901}' } }, "event"],
    ["chunk item", { SessionID: { S: "CHUNK#abc" }, FieldsMap: { M: {} } }, "not-event"],
    ["item without fields", { SessionID: { S: "s" } }, "not-event"],
    ["Fields that is not JSON", { Fields: { S: "{nope" } }, "invalid"],
    ["Fields that is not an object", { Fields: { S: "[1]" } }, "invalid"],
    ["FieldsMap that is not a map", { FieldsMap: { S: "x" } }, "invalid"],
    ["FieldsMap with a malformed number", { FieldsMap: { M: { ei: { N: "1e" } } } }, "invalid"],
  ])("reads a %s", (_name, item, kind) => {
    expect(eventFromItem(item).kind).toBe(kind);
  });

  it("reads legacy Fields with exact numbers", () => {
    const content = eventFromItem({ Fields: { S: '{"event":"x","ei":123456789012345678901}' } });
    expect(content.kind === "event" && stringifyJson(content.event)).toBe(
      '{"event":"x","ei":123456789012345678901}',
    );
  });
});
