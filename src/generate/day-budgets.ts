import type { Prng } from "./prng.js";
import { DAY_MS, monthStartMs } from "./calendar.js";
import type { ResolvedOptions } from "./generate-options.js";

/** How many events each day of the range gets: weekdays busier than weekends, a gentle growth. */

export interface DayBudget {
  /** Epoch ms of the day's 00:00Z. */
  readonly start: number;
  /** 0-based month of the range. */
  readonly month: number;
  /** The last day of a month that is followed by another month of the range. */
  readonly monthEndsInRange: boolean;
  readonly events: number;
}

const WEEKEND_WEIGHT = 0.35;
const GROWTH_OVER_RANGE = 0.25;

/**
 * Splits exactly `options.events` over the days (largest remainder), in proportion to each day's
 * weight. Pure given the generator's state.
 */
export function dayBudgets(prng: Prng, options: ResolvedOptions): DayBudget[] {
  const days: { start: number; month: number; monthEndsInRange: boolean; weight: number }[] = [];
  for (let m = 0; m < options.months; m += 1) {
    const from = monthStartMs(options.startYear, options.startMonth + m);
    const to = monthStartMs(options.startYear, options.startMonth + m + 1);
    const growth = 1 + (GROWTH_OVER_RANGE * m) / Math.max(1, options.months - 1);
    for (let start = from; start < to; start += DAY_MS) {
      const weekday = new Date(start).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      const weight = (weekend ? WEEKEND_WEIGHT : 1) * growth * (0.8 + 0.4 * prng.float());
      days.push({
        start,
        month: m,
        monthEndsInRange: start + DAY_MS === to && m < options.months - 1,
        weight,
      });
    }
  }
  const total = days.reduce((sum, d) => sum + d.weight, 0);
  const exact = days.map((d) => (options.events * d.weight) / total);
  const counts = exact.map(Math.floor);
  let missing = options.events - counts.reduce((sum, c) => sum + c, 0);
  const byRemainder = exact
    .map((value, i) => ({ i, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (let k = 0; missing > 0; k = (k + 1) % byRemainder.length, missing -= 1) {
    const i = (byRemainder[k] as { i: number }).i;
    counts[i] = (counts[i] as number) + 1;
  }
  return days.map((d, i) => ({
    start: d.start,
    month: d.month,
    monthEndsInRange: d.monthEndsInRange,
    events: counts[i] as number,
  }));
}
