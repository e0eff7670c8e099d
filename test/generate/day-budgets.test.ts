import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayBudgets } from "../../src/generate/day-budgets.js";
import { resolveOptions } from "../../src/generate/generate-options.js";
import { Prng } from "../../src/generate/prng.js";

const budgets = (events: number, months: number, start = "2026-01") =>
  dayBudgets(new Prng(1), resolveOptions({ events, months, start }));

describe("dayBudgets", () => {
  it("splits exactly the requested events over every day of the range", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 1000 }),
        (events, months, seed) => {
          const days = dayBudgets(new Prng(seed), resolveOptions({ events, months, start: "2025-03" }));
          expect(days.reduce((sum, d) => sum + d.events, 0)).toBe(events);
          expect(days.every((d) => Number.isInteger(d.events) && d.events >= 0)).toBe(true);
          expect(days[0]?.start).toBe(Date.UTC(2025, 2, 1));
          expect(new Set(days.map((d) => d.month)).size).toBe(months);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("has one day per calendar day, leap days included", () => {
    const days = budgets(1000, 12, "2024-01");
    expect(days).toHaveLength(366);
    for (let i = 1; i < days.length; i += 1) {
      expect((days[i]?.start as number) - (days[i - 1]?.start as number)).toBe(86_400_000);
    }
  });

  it("marks the last day of every month but the range's last", () => {
    const marked = budgets(1000, 3, "2026-01")
      .filter((d) => d.monthEndsInRange)
      .map((d) => new Date(d.start).toISOString().slice(0, 10));
    expect(marked).toEqual(["2026-01-31", "2026-02-28"]);
  });

  it("makes weekends quieter than weekdays", () => {
    const days = budgets(1_000_000, 3);
    const average = (weekend: boolean): number => {
      const chosen = days.filter((d) => [0, 6].includes(new Date(d.start).getUTCDay()) === weekend);
      return chosen.reduce((sum, d) => sum + d.events, 0) / chosen.length;
    };
    expect(average(true)).toBeLessThan(0.6 * average(false));
  });
});
