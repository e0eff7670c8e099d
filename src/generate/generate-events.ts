import { Prng } from "./prng.js";
import { buildEstate, type Cluster } from "./estate.js";
import { buildPopulation, type Actor, type Population } from "./population.js";
import { dayBudgets } from "./day-budgets.js";
import { planDay } from "./day-plan.js";
import { EventHeap } from "./event-heap.js";
import { ORGANIZATIONS } from "./names.js";
import { resolveOptions, type GenerateOptions, type ResolvedOptions } from "./generate-options.js";
import { WeightedPicker } from "./weighted.js";

/**
 * Synthetic Teleport audit events, as JSON lines (without the newline) in time order. Deterministic:
 * the same options give the same lines. Streams day by day: memory holds the population, one day's
 * plan and the events of sessions still open, never the whole output.
 */

// Independent PRNG streams, so e.g. a different event count does not change who the users are.
const POPULATION_STREAM = 1;
const BUDGET_STREAM = 2;
const EVENT_STREAM = 3;

export interface Tenant {
  readonly org: string;
  readonly population: Population;
  readonly clusters: readonly Cluster[];
}

/** The users and clusters a run draws from (depends on seed, users, months and clusters only). */
export function buildTenant(options: ResolvedOptions): Tenant {
  const prng = new Prng(options.seed, POPULATION_STREAM);
  const org = prng.pick(ORGANIZATIONS);
  const population = buildPopulation(prng, { users: options.users, months: options.months, org });
  const clusters = buildEstate(prng, org, options.clusters);
  return { org, population, clusters };
}

function activeIn(actors: readonly Actor[], month: number): WeightedPicker<Actor> {
  return new WeightedPicker(
    actors.filter((a) => a.firstMonth <= month && month <= a.lastMonth).map((a) => [a, a.weight] as const),
  );
}

/** @throws InvalidArgumentError for options out of range (before any line is produced). */
export function generateEvents(options: GenerateOptions): Generator<string, void, undefined> {
  const resolved = resolveOptions(options);
  return lines(resolved);
}

function* lines(options: ResolvedOptions): Generator<string, void, undefined> {
  const tenant = buildTenant(options);
  const clusterPicker = new WeightedPicker(tenant.clusters.map((c) => [c, c.weight] as const));
  const budgets = dayBudgets(new Prng(options.seed, BUDGET_STREAM), options);
  const prng = new Prng(options.seed, EVENT_STREAM);
  const limit = options.rangeEnd - 1;
  const heap = new EventHeap();
  let month = -1;
  let humans = activeIn([], 0);
  let bots = humans;

  for (const day of budgets) {
    if (day.month !== month) {
      month = day.month;
      humans = activeIn(tenant.population.humans, month);
      bots = activeIn(tenant.population.bots, month);
    }
    const plans = planDay(prng, {
      dayStart: day.start,
      events: day.events,
      overnight: day.monthEndsInRange,
      bots: bots.size > 0,
    });
    for (const plan of plans) {
      while (heap.peekTime() < plan.start) yield heap.pop() as string;
      const actor = (plan.scenario.actor === "bot" ? bots : humans).pick(prng);
      const events = plan.scenario.build({
        prng,
        actor,
        cluster: clusterPicker.pick(prng),
        start: plan.start,
        limit,
        size: plan.size,
        minDuration: plan.minDuration,
      });
      for (const { time, event } of events) heap.push(time, JSON.stringify(event));
    }
  }
  while (heap.size > 0) yield heap.pop() as string;
}
