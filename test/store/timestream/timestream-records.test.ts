import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserKind } from "../../../src/gen/tenants/tenants.js";
import { toEventRecords } from "../../../src/store/event-record.js";
import {
  chunk,
  eventCommonAttributes,
  eventRecord,
  usageCommonAttributes,
  usageRecord,
} from "../../../src/store/timestream/timestream-records.js";
import { toUsageRecords } from "../../../src/store/usage-record.js";
import { sampleEvent, sampleReport, timestamp } from "../sample-events.js";

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
});
