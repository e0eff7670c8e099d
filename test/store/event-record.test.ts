import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ID_LENGTH } from "../../src/activity/event-rules.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { toEventRecords, validateTenant } from "../../src/store/event-record.js";
import { microsToMillis, timestampMicros } from "../../src/store/timestamp.js";
import { toUsageRecords } from "../../src/store/usage-record.js";
import { sampleEvent, sampleReport, timestamp } from "./sample-events.js";

describe("toEventRecords", () => {
  it("converts time to epoch microseconds, dropping sub-microsecond digits", () => {
    const [record] = toEventRecords([sampleEvent({ time: timestamp("2024-01-01T00:00:00.001Z", 2_999) })]);
    expect(record?.timeMicros).toBe(BigInt(Date.parse("2024-01-01T00:00:00Z")) * 1000n + 1_002n);
  });

  it("keeps the first of repeated ids", () => {
    const records = toEventRecords([
      sampleEvent({ id: "a", type: "one" }),
      sampleEvent({ id: "b" }),
      sampleEvent({ id: "a", type: "two" }),
    ]);
    expect(records.map((r) => [r.id, r.type])).toEqual([
      ["a", "one"],
      ["b", "session.start"],
    ]);
  });

  it.each([
    ["an empty id", { id: "" }, /id is required/],
    ["a missing time", { time: undefined }, /time is required/],
    ["a time past 9999", { time: { seconds: 253402300800n, nanos: 0 } }, /outside/],
    ["bad nanos", { time: { seconds: 0n, nanos: 1_000_000_000 } }, /nanos/],
    ["an unknown user kind", { userKind: 7 }, /user_kind/],
    ["an over-long id", { id: "x".repeat(MAX_ID_LENGTH + 1) }, /id is longer/],
    ["an over-long user", { user: "u".repeat(1000) }, /user is longer/],
  ])("rejects the whole batch for %s", (_, overrides, message) => {
    const batch = [sampleEvent({ id: "fine" }), sampleEvent(overrides)];
    expect(() => toEventRecords(batch)).toThrow(InvalidArgumentError);
    expect(() => toEventRecords(batch)).toThrow(message);
  });

  it("rejects an empty or over-long tenant", () => {
    expect(() => validateTenant("")).toThrow(InvalidArgumentError);
    expect(() => validateTenant("t".repeat(129))).toThrow(InvalidArgumentError);
    expect(() => validateTenant("acme")).not.toThrow();
  });

  it("keeps exactly one record per distinct id, in first-seen order", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", "c", "d", "e")), (ids) => {
        const records = toEventRecords(ids.map((id) => sampleEvent({ id })));
        expect(records.map((r) => r.id)).toEqual([...new Set(ids)]);
      }),
    );
  });
});

describe("timestamps", () => {
  it("round milliseconds towards the past, also before 1970", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -62135596800000000n, max: 253402300799999999n }), (micros) => {
        const ms = microsToMillis(micros);
        expect(ms * 1000n <= micros && micros < (ms + 1n) * 1000n).toBe(true);
      }),
    );
  });

  it("agrees with Date for millisecond timestamps", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (date) => {
          const micros = timestampMicros(timestamp(date.toISOString()), "t");
          expect(microsToMillis(micros)).toBe(BigInt(date.getTime()));
        },
      ),
    );
  });
});

describe("toUsageRecords", () => {
  it("keeps the first report per (cluster, time) and refuses counts beyond int64", () => {
    const records = toUsageRecords([
      sampleReport(),
      sampleReport({ users: 99n }),
      sampleReport({ cluster: "b" }),
    ]);
    expect(records.map((r) => [r.cluster.slice(0, 1), r.counts.users])).toEqual([
      ["Y", 12n],
      ["b", 12n],
    ]);
    expect(() => toUsageRecords([sampleReport({ roles: 1n << 63n })])).toThrow(/roles is out of range/);
    expect(() => toUsageRecords([sampleReport({ time: undefined })])).toThrow(/usage report 0: time/);
  });
});
