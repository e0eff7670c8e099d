import { InvalidArgumentError } from "../errors/errors.js";
import { monthStartMs } from "./calendar.js";

/** What to generate. Everything but `start` has a default (below), applied once by `resolveOptions`. */
export interface GenerateOptions {
  /** Exactly this many events. */
  events: number;
  /** First month, "YYYY-MM" (UTC). No default, so output never depends on the clock. */
  start: string;
  /** Distinct users to draw from, humans and bots together (at most this many appear). Default 100. */
  users?: number;
  /** Calendar months covered, from `start`. Default 12. */
  months?: number;
  /** Same seed and options, same bytes. Default 1. */
  seed?: number;
  /** Teleport clusters emitting events (`cluster_name`). Default 2. */
  clusters?: number;
}

export const DEFAULT_USERS = 100;
export const DEFAULT_MONTHS = 12;
export const DEFAULT_SEED = 1;
export const DEFAULT_CLUSTERS = 2;

export const LIMITS = {
  events: 1_000_000_000,
  users: 100_000,
  // As many as a MAU query may span.
  months: 120,
  clusters: 100,
  seed: 0xffff_ffff,
} as const;

export interface ResolvedOptions {
  readonly events: number;
  readonly users: number;
  readonly months: number;
  readonly seed: number;
  readonly clusters: number;
  readonly startYear: number;
  /** 1..12 */
  readonly startMonth: number;
  /** Epoch ms of the range [rangeStart, rangeEnd). */
  readonly rangeStart: number;
  readonly rangeEnd: number;
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** @throws InvalidArgumentError naming the first bad option. */
export function resolveOptions(options: GenerateOptions): ResolvedOptions {
  const events = wholeNumber("events", options.events, 1, LIMITS.events);
  const users = wholeNumber("users", options.users ?? DEFAULT_USERS, 1, LIMITS.users);
  const months = wholeNumber("months", options.months ?? DEFAULT_MONTHS, 1, LIMITS.months);
  const seed = wholeNumber("seed", options.seed ?? DEFAULT_SEED, 0, LIMITS.seed);
  const clusters = wholeNumber("clusters", options.clusters ?? DEFAULT_CLUSTERS, 1, LIMITS.clusters);
  const match = /^(\d{4})-(\d{2})$/.exec(options.start);
  const startYear = Number(match?.[1]);
  const startMonth = Number(match?.[2]);
  if (match === null || startMonth < 1 || startMonth > 12 || startYear < 1970) {
    throw new InvalidArgumentError(`start must be a month as YYYY-MM from 1970-01, got "${options.start}"`);
  }
  const rangeStart = monthStartMs(startYear, startMonth);
  const rangeEnd = monthStartMs(startYear, startMonth + months);
  if (new Date(rangeEnd).getUTCFullYear() > 9999) {
    throw new InvalidArgumentError(`start ${options.start} plus ${months} month(s) runs past the year 9999`);
  }
  return { events, users, months, seed, clusters, startYear, startMonth, rangeStart, rangeEnd };
}
