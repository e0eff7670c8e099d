import type { Prng } from "./prng.js";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./calendar.js";
import { OVERNIGHT_SCENARIOS, SCENARIOS, type Scenario } from "./scenarios.js";
import { WeightedPicker } from "./weighted.js";

/** One day's scenarios: which, how many events each, and when each starts (sorted). */

export interface Plan {
  readonly start: number;
  readonly scenario: Scenario;
  readonly size: number;
  readonly minDuration: number;
}

export interface DayPlanInput {
  readonly dayStart: number;
  readonly events: number;
  /** Start one session late on this day that ends after midnight (a month's last day). */
  readonly overnight: boolean;
  /** Whether any bot is around this month. */
  readonly bots: boolean;
}

/** Share of scenarios run by bots when there are any. */
export const BOT_SHARE = 0.15;
const WORK_HOURS_SHARE = 0.75;

function pickers(actor: "human" | "bot"): {
  all: WeightedPicker<Scenario>;
  single: WeightedPicker<Scenario>;
} {
  const own = SCENARIOS.filter((s) => s.actor === actor);
  return {
    all: new WeightedPicker(own.map((s) => [s, s.weight] as const)),
    single: new WeightedPicker(own.filter((s) => s.min <= 1).map((s) => [s, s.weight] as const)),
  };
}

const HUMAN = pickers("human");
const BOT = pickers("bot");
const OVERNIGHT = new WeightedPicker(
  SCENARIOS.filter((s) => OVERNIGHT_SCENARIOS.includes(s.name)).map((s) => [s, s.weight] as const),
);

/** People mostly work 07:00–19:00 UTC (peaking mid-day); the rest is spread over the day. Bots run any time. */
function startOfDay(prng: Prng, actor: "human" | "bot"): number {
  if (actor === "human" && prng.chance(WORK_HOURS_SHARE)) {
    return Math.floor(7 * HOUR_MS + (prng.float() + prng.float()) * 6 * HOUR_MS);
  }
  return prng.int(DAY_MS);
}

export function planDay(prng: Prng, input: DayPlanInput): Plan[] {
  const plans: Plan[] = [];
  let remaining = input.events;
  if (input.overnight && remaining >= 2) {
    const scenario = OVERNIGHT.pick(prng);
    const size = Math.min(remaining, scenario.naturalSize(prng));
    const offset = 23 * HOUR_MS + prng.int(40 * MINUTE_MS);
    const minDuration = DAY_MS - offset + prng.between(MINUTE_MS, 2 * HOUR_MS);
    plans.push({ start: input.dayStart + offset, scenario, size, minDuration });
    remaining -= size;
  }
  while (remaining > 0) {
    const actor = input.bots && prng.chance(BOT_SHARE) ? "bot" : "human";
    const choice = actor === "bot" ? BOT : HUMAN;
    const scenario = remaining >= 2 ? choice.all.pick(prng) : choice.single.pick(prng);
    const size = Math.max(scenario.min, Math.min(remaining, scenario.naturalSize(prng)));
    plans.push({ start: input.dayStart + startOfDay(prng, actor), scenario, size, minDuration: 0 });
    remaining -= size;
  }
  return plans.sort((a, b) => a.start - b.start);
}
