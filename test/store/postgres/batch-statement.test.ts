import { describe, expect, it } from "vitest";
import type { EventRecord } from "../../../src/store/event-record.js";
import {
  BATCH_STATEMENTS,
  type CommittedRollup,
  planRollup,
  recordCommitted,
} from "../../../src/store/postgres/batch-statement.js";
import { RecordedKeys, utcMonthStartMicros } from "../../../src/store/recorded-keys.js";

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

function record(user: string, iso: string, protocol = "ssh", userKind = 1): EventRecord {
  return {
    id: `${user}-${iso}`,
    timeMicros: micros(iso),
    type: "session.start",
    user,
    userKind,
    protocol,
    cluster: "c",
    sessionKind: "",
  };
}

/** A sink's memory after a statement inserted every one of these events of tenant acme. */
function committed(records: readonly EventRecord[]): CommittedRollup {
  const memory = { daily: new RecordedKeys(), monthly: new RecordedKeys() };
  recordCommitted(planRollup("acme", records, memory), records.length, records.length, memory);
  return memory;
}

describe("utcMonthStartMicros", () => {
  it.each([
    ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"],
    ["2024-02-29T23:59:59.999Z", "2024-02-01T00:00:00Z"],
    ["2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z"],
    ["1969-12-31T23:59:59.999Z", "1969-12-01T00:00:00Z"],
    // Years below 100, which Date.UTC would take for 19xx.
    ["0042-07-15T12:00:00Z", "0042-07-01T00:00:00Z"],
  ])("puts %s in the month starting %s", (instant, start) => {
    expect(utcMonthStartMicros(micros(instant))).toBe(micros(start));
    // A microsecond before the month's start is in the month before.
    expect(utcMonthStartMicros(micros(start) - 1n)).toBeLessThan(micros(start));
  });
});

describe("rollupPart", () => {
  const memory = committed([
    record("alice", "2024-03-05T10:00:00Z"),
    record("bob", "2024-03-05T20:00:00Z", "", 2),
    record("", "2024-03-05T20:00:00Z", "db"),
  ]);

  it.each<[string, EventRecord[], string]>([
    ["an empty batch", [], "none"],
    ["events without a user", [record("", "2024-04-09T10:00:00Z")], "none"],
    ["users active that day already", [record("alice", "2024-03-05T23:59:59Z")], "none"],
    ["a bot active that day already", [record("bob", "2024-03-05T08:00:00Z", "", 2)], "none"],
    ["a user active that month already, a new day", [record("alice", "2024-03-30T00:00:00Z")], "daily"],
    [
      "a new day and a new protocol",
      [record("alice", "2024-03-30T00:00:00Z"), record("alice", "2024-03-05T01:00:00Z", "kube")],
      "daily-and-monthly",
    ],
    ["the same user as a human", [record("bob", "2024-03-05T08:00:00Z", "", 1)], "daily-and-monthly"],
    ["the next month", [record("alice", "2024-04-01T00:00:00Z")], "daily-and-monthly"],
    ["a new user", [record("carol", "2024-03-05T12:00:00Z")], "daily-and-monthly"],
  ])("%s", (_, records, part) => {
    expect(planRollup("acme", records, memory).part).toBe(part);
  });

  it("tells tenants apart", () => {
    expect(planRollup("beta", [record("alice", "2024-03-05T12:00:00Z")], memory).part).toBe(
      "daily-and-monthly",
    );
  });

  it("records a plan's keys only when the statement inserted every event of the batch", () => {
    const batch = [record("carol", "2024-03-06T01:00:00Z"), record("carol", "2024-03-06T02:00:00Z", "db")];
    const memory = committed([]);
    const plan = planRollup("acme", batch, memory);
    expect(plan.part).toBe("daily-and-monthly");
    expect(plan.daily).toHaveLength(2);
    recordCommitted(plan, batch.length, 1, memory);
    expect(planRollup("acme", batch, memory).part).toBe("daily-and-monthly");
    recordCommitted(plan, batch.length, undefined, memory);
    expect(planRollup("acme", batch, memory).part).toBe("daily-and-monthly");
    recordCommitted(plan, batch.length, 2, memory);
    expect(planRollup("acme", batch, memory)).toEqual({ part: "none", daily: [], monthly: [] });
    // Known that month, a new day: the daily rows only.
    expect(planRollup("acme", [record("carol", "2024-03-31T23:59:59Z", "db")], memory).part).toBe("daily");
  });

  it("renders one statement per part, each writing only its rollups", () => {
    expect(BATCH_STATEMENTS.none).not.toMatch(/_activity/);
    expect(BATCH_STATEMENTS.daily).toMatch(/INSERT INTO daily_activity/);
    expect(BATCH_STATEMENTS.daily).not.toMatch(/monthly_activity/);
    expect(BATCH_STATEMENTS["daily-and-monthly"]).toMatch(
      /INSERT INTO daily_activity[\s\S]*INSERT INTO monthly_activity/,
    );
  });
});
