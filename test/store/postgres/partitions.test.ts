import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS } from "../../../src/activity/time-bounds.js";
import {
  createPartitionSql,
  monthOfMicros,
  monthsOf,
  nextMonth,
  partitionName,
} from "../../../src/store/postgres/partitions.js";

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
const storable = fc.bigInt(TIMESTAMP_MIN_SECONDS * 1_000_000n, TIMESTAMP_MAX_SECONDS * 1_000_000n + 999_999n);

describe("monthly partitions", () => {
  it.each([
    ["2024-03-01T00:00:00.000Z", 0n, { year: 2024, month: 3 }],
    ["2024-03-01T00:00:00.000Z", -1n, { year: 2024, month: 2 }],
    ["2024-12-31T23:59:59.999Z", 999n, { year: 2024, month: 12 }],
    ["1970-01-01T00:00:00.000Z", -1n, { year: 1969, month: 12 }],
    ["0001-01-01T00:00:00.000Z", 0n, { year: 1, month: 1 }],
    ["9999-12-31T23:59:59.999Z", 999n, { year: 9999, month: 12 }],
  ])("puts %s %+d µs in its UTC month", (iso, extra, month) => {
    expect(monthOfMicros(micros(iso) + extra)).toEqual(month);
  });

  it("names partitions so they sort by month", () => {
    expect(partitionName({ year: 2024, month: 3 })).toBe("events_p2024_03");
    expect(partitionName({ year: 1, month: 12 })).toBe("events_p0001_12");
    fc.assert(
      fc.property(storable, storable, (a, b) => {
        const [ma, mb] = [monthOfMicros(a), monthOfMicros(b)];
        const byMonth = Math.sign(ma.year * 12 + ma.month - (mb.year * 12 + mb.month));
        const byName = Math.sign(partitionName(ma).localeCompare(partitionName(mb)));
        expect(byName).toBe(byMonth);
      }),
    );
  });

  it("bounds each partition from its month's first instant to the next month's", () => {
    expect(createPartitionSql({ year: 2024, month: 12 })).toBe(
      "CREATE TABLE IF NOT EXISTS events_p2024_12 PARTITION OF events " +
        "FOR VALUES FROM ('2024-12-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')",
    );
    expect(createPartitionSql({ year: 9999, month: 12 })).toContain("TO ('10000-01-01 00:00:00+00')");
    expect(nextMonth({ year: 2024, month: 1 })).toEqual({ year: 2024, month: 2 });
  });

  it("refuses a month that is not one", () => {
    expect(() => createPartitionSql({ year: 2024, month: 13 })).toThrow(RangeError);
    expect(() => createPartitionSql({ year: 2024.5, month: 1 })).toThrow(RangeError);
  });

  it("lists the distinct months of instants in calendar order, each instant inside its bounds", () => {
    fc.assert(
      fc.property(fc.array(storable, { maxLength: 30 }), (instants) => {
        const months = monthsOf(instants);
        const keys = months.map((m) => m.year * 12 + m.month);
        expect(keys).toEqual([...new Set(keys)].sort((a, b) => a - b));
        for (const instant of instants) {
          const month = monthOfMicros(instant);
          expect(months).toContainEqual(month);
          const start = micros(
            `${String(month.year).padStart(4, "0")}-${String(month.month).padStart(2, "0")}-01T00:00:00Z`,
          );
          const next = nextMonth(month);
          const end =
            next.year > 9999
              ? micros("9999-12-31T23:59:59.999Z") + 1000n
              : micros(
                  `${String(next.year).padStart(4, "0")}-${String(next.month).padStart(2, "0")}-01T00:00:00Z`,
                );
          expect(instant >= start && instant < end).toBe(true);
        }
      }),
    );
  });
});
