import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planDay } from "../../src/generate/day-plan.js";
import { Prng } from "../../src/generate/prng.js";

const DAY = Date.UTC(2026, 0, 31);

describe("planDay", () => {
  it("plans exactly the day's events, sorted, starting within the day", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (events, overnight, bots, seed) => {
          const plans = planDay(new Prng(seed), { dayStart: DAY, events, overnight, bots });
          expect(plans.reduce((sum, p) => sum + p.size, 0)).toBe(events);
          for (const plan of plans) {
            expect(plan.size).toBeGreaterThanOrEqual(plan.scenario.min);
            expect(plan.start).toBeGreaterThanOrEqual(DAY);
            expect(plan.start).toBeLessThan(DAY + 86_400_000);
            if (!bots) expect(plan.scenario.actor).toBe("human");
          }
          expect(plans.map((p) => p.start)).toEqual(plans.map((p) => p.start).sort((a, b) => a - b));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("starts an overnight session that lasts past midnight when asked", () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const plans = planDay(new Prng(seed), { dayStart: DAY, events: 20, overnight: true, bots: true });
      const overnight = plans.filter((p) => p.minDuration > 0);
      expect(overnight).toHaveLength(1);
      const [plan] = overnight;
      expect(["ssh-session", "kube-session"]).toContain(plan?.scenario.name);
      expect((plan?.start as number) + (plan?.minDuration as number)).toBeGreaterThan(DAY + 86_400_000);
    }
  });

  it("cannot fit an overnight session into a day with one event", () => {
    const plans = planDay(new Prng(1), { dayStart: DAY, events: 1, overnight: true, bots: false });
    expect(plans).toHaveLength(1);
    expect(plans[0]?.minDuration).toBe(0);
  });

  it("gives bots about their share of scenarios, and people mostly work hours", () => {
    const plans = planDay(new Prng(8), { dayStart: DAY, events: 40_000, overnight: false, bots: true });
    const botShare = plans.filter((p) => p.scenario.actor === "bot").length / plans.length;
    expect(botShare).toBeGreaterThan(0.1);
    expect(botShare).toBeLessThan(0.2);
    const people = plans.filter((p) => p.scenario.actor === "human");
    const hour = (p: { start: number }): number => new Date(p.start).getUTCHours();
    const working = people.filter((p) => hour(p) >= 7 && hour(p) < 19).length / people.length;
    expect(working).toBeGreaterThan(0.75);
  });
});
