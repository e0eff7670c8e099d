import { describe, expect, it } from "vitest";
import type { EventRecord } from "../../../src/store/event-record.js";
import {
  BATCH_STATEMENTS,
  type CommittedRollup,
  recordCommitted,
  rollupPart,
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

/** A sink's memory after committing the given rows (day starts) of tenant acme. */
function committed(rows: readonly [string, string, string, number][]): CommittedRollup {
  const memory = { daily: new RecordedKeys(), monthly: new RecordedKeys() };
  recordCommitted(
    "acme",
    rows.map(([user, day, protocol, userKind]) => ({
      day_micros: String(micros(day)),
      user_kind: userKind,
      protocol,
      user,
    })),
    memory,
  );
  return memory;
}

describe("utcMonthStartMicros", () => {
  it.each([
    ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"],
    ["2024-02-29T23:59:59.999Z", "2024-02-01T00:00:00Z"],
    ["2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z"],
    ["1969-12-31T23:59:59.999Z", "1969-12-01T00:00:00Z"],
  ])("puts %s in the month starting %s", (instant, start) => {
    expect(utcMonthStartMicros(micros(instant))).toBe(micros(start));
    // A microsecond before the month's start is in the month before.
    expect(utcMonthStartMicros(micros(start) - 1n)).toBeLessThan(micros(start));
  });
});

describe("rollupPart", () => {
  const memory = committed([
    ["alice", "2024-03-05T00:00:00Z", "ssh", 1],
    ["bob", "2024-03-05T00:00:00Z", "", 2],
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
    expect(rollupPart("acme", records, memory)).toBe(part);
  });

  it("tells tenants apart", () => {
    expect(rollupPart("beta", [record("alice", "2024-03-05T12:00:00Z")], memory)).toBe("daily-and-monthly");
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
