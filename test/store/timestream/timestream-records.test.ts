import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserKind } from "../../../src/gen/tenants/tenants.js";
import { toEventRecords } from "../../../src/store/event-record.js";
import {
  activeDayCommonAttributes,
  activeDayRecord,
  activeDays,
  chunk,
  eventCommonAttributes,
  eventRecord,
  usageCommonAttributes,
  usageRecord,
} from "../../../src/store/timestream/timestream-records.js";
import { toUsageRecords } from "../../../src/store/usage-record.js";
import { sampleEvent, sampleReport, timestamp } from "../sample-events.js";

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe("Timestream record model", () => {
  it("puts the tenant, measure, unit and fixed version in the common attributes", () => {
    expect(eventCommonAttributes("acme")).toEqual({
      Dimensions: [{ Name: "tenant", Value: "acme" }],
      MeasureName: "active",
      MeasureValueType: "BIGINT",
      MeasureValue: "1",
      TimeUnit: "MILLISECONDS",
      Version: 1,
    });
    expect(usageCommonAttributes("acme")).toMatchObject({
      MeasureName: "usage",
      MeasureValueType: "MULTI",
      Version: 1,
    });
  });

  it("maps an event to dimensions, leaving out empty values, with time in milliseconds", () => {
    const [event] = toEventRecords([
      sampleEvent({
        id: "e1",
        time: timestamp("2024-03-05T10:00:00.123Z", 999_999),
        user: "u",
        userKind: UserKind.USER_KIND_BOT,
        protocol: "",
        cluster: "c",
        sessionKind: "",
      }),
    ]);
    expect(eventRecord(event!)).toEqual({
      Dimensions: [
        { Name: "id", Value: "e1" },
        { Name: "type", Value: "session.start" },
        { Name: "user", Value: "u" },
        { Name: "user_kind", Value: "2" },
        { Name: "cluster", Value: "c" },
      ],
      Time: String(Date.parse("2024-03-05T10:00:00.123Z")),
    });
  });

  it("maps the same event to the same record, and different ids to different records", () => {
    const id = fc.string({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(id, id, (a, b) => {
        fc.pre(a !== b);
        const [ra, rb] = toEventRecords([sampleEvent({ id: a }), sampleEvent({ id: b })]).map(eventRecord);
        const [again] = toEventRecords([sampleEvent({ id: a })]).map(eventRecord);
        expect(again).toEqual(ra);
        expect(rb).not.toEqual(ra);
      }),
    );
  });

  it("maps a usage report to one MULTI record", () => {
    const [report] = toUsageRecords([sampleReport({ cluster: "" })]);
    const record = usageRecord(report!);
    expect(record.Dimensions).toEqual([]);
    expect(record.MeasureValues?.map((v) => [v.Name, v.Value, v.Type])).toEqual([
      ["users", "12", "BIGINT"],
      ["servers", "40", "BIGINT"],
      ["databases", "3", "BIGINT"],
      ["apps", "5", "BIGINT"],
      ["kube_clusters", "2", "BIGINT"],
      ["desktops", "1", "BIGINT"],
      ["roles", "9", "BIGINT"],
      ["auth_connectors", "2", "BIGINT"],
    ]);
  });

  it("chunks keep order, cover every item and respect the size", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 450 }), fc.integer({ min: 1, max: 120 }), (items, size) => {
        const chunks = chunk(items, size);
        expect(chunks.flat()).toEqual(items);
        expect(chunks.every((c) => c.length >= 1 && c.length <= size)).toBe(true);
        expect(chunks.length).toBe(Math.ceil(items.length / size));
      }),
    );
  });

  it("gives the daily activity records the tenant, measure active_day = 1, unit and fixed version", () => {
    expect(activeDayCommonAttributes("acme")).toEqual({
      Dimensions: [{ Name: "tenant", Value: "acme" }],
      MeasureName: "active_day",
      MeasureValueType: "BIGINT",
      MeasureValue: "1",
      TimeUnit: "MILLISECONDS",
      Version: 1,
    });
  });

  it("maps an active day to its dimensions, leaving out an empty protocol, timed at the day's start", () => {
    const record = (protocol: string) =>
      activeDayRecord({ day: day("2024-03-05"), user: "u", userKind: UserKind.USER_KIND_BOT, protocol });
    expect(record("")).toEqual({
      Dimensions: [
        { Name: "user", Value: "u" },
        { Name: "user_kind", Value: "2" },
      ],
      Time: String(day("2024-03-05")),
    });
    expect(record("ssh").Dimensions).toContainEqual({ Name: "protocol", Value: "ssh" });
  });

  const human = UserKind.USER_KIND_HUMAN;
  it.each<[string, Parameters<typeof sampleEvent>[0][], [string, string, UserKind, string][]]>([
    [
      "one record for a user's events of a day, kind and protocol",
      [
        { id: "a", time: timestamp("2024-03-05T01:00:00Z"), user: "u" },
        { id: "b", time: timestamp("2024-03-05T23:00:00Z"), user: "u" },
      ],
      [["2024-03-05", "u", human, "ssh"]],
    ],
    [
      "one per protocol, user kind and user",
      [
        { id: "a", user: "u", protocol: "ssh" },
        { id: "b", user: "u", protocol: "kube" },
        { id: "c", user: "u", protocol: "" },
        { id: "d", user: "u", userKind: UserKind.USER_KIND_BOT },
        { id: "e", user: "v" },
      ],
      [
        ["2024-03-05", "u", human, "ssh"],
        ["2024-03-05", "u", human, "kube"],
        ["2024-03-05", "u", human, ""],
        ["2024-03-05", "u", UserKind.USER_KIND_BOT, "ssh"],
        ["2024-03-05", "v", human, "ssh"],
      ],
    ],
    [
      "none for events without a user",
      [
        { id: "a", user: "" },
        { id: "b", user: "" },
      ],
      [],
    ],
    [
      "the UTC day, to the microsecond at midnight",
      [
        { id: "a", time: timestamp("2024-03-05T23:59:59.999Z", 999_000), user: "u" },
        { id: "b", time: timestamp("2024-03-06T00:00:00Z"), user: "u" },
        { id: "c", time: timestamp("2024-02-29T12:00:00Z"), user: "u" },
        { id: "d", time: timestamp("2024-03-01T00:00:00Z"), user: "u" },
      ],
      [
        ["2024-03-05", "u", human, "ssh"],
        ["2024-03-06", "u", human, "ssh"],
        ["2024-02-29", "u", human, "ssh"],
        ["2024-03-01", "u", human, "ssh"],
      ],
    ],
    [
      "the day before the epoch for an instant before it (Timestream refuses the event itself)",
      [
        { id: "a", time: timestamp("1969-12-31T23:59:59.999Z"), user: "u" },
        { id: "b", time: timestamp("1970-01-01T00:00:00Z"), user: "u" },
      ],
      [
        ["1969-12-31", "u", human, "ssh"],
        ["1970-01-01", "u", human, "ssh"],
      ],
    ],
    [
      "the first of repeated event ids only, as stored",
      [
        { id: "a", user: "u" },
        { id: "a", user: "w" },
      ],
      [["2024-03-05", "u", human, "ssh"]],
    ],
  ])("derives the active days of a batch: %s", (_, events, expected) => {
    const days = activeDays(toEventRecords(events.map((e) => sampleEvent(e))));
    expect(days).toEqual(
      expected.map(([iso, user, userKind, protocol]) => ({ day: day(iso), user, userKind, protocol })),
    );
  });

  it("derives exactly the distinct (day, kind, protocol, user) of the events with a user", () => {
    const event = fc.record({
      ms: fc.integer({ min: day("2024-01-30"), max: day("2024-02-02") }),
      user: fc.constantFrom("", "u", "v"),
      userKind: fc.constantFrom(
        UserKind.USER_KIND_UNSPECIFIED,
        UserKind.USER_KIND_HUMAN,
        UserKind.USER_KIND_BOT,
      ),
      protocol: fc.constantFrom("", "ssh", "db"),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (drawn) => {
        const records = toEventRecords(
          drawn.map((e, i) =>
            sampleEvent({ ...e, id: `e${i}`, time: timestamp(new Date(e.ms).toISOString()) }),
          ),
        );
        const expected = new Set(
          drawn
            .filter((e) => e.user !== "")
            .map((e) =>
              JSON.stringify([Math.floor(e.ms / 86_400_000) * 86_400_000, e.userKind, e.protocol, e.user]),
            ),
        );
        const days = activeDays(records).map((d) => JSON.stringify([d.day, d.userKind, d.protocol, d.user]));
        expect(days).toHaveLength(expected.size);
        expect(new Set(days)).toEqual(expected);
      }),
    );
  });
});
