import { InvalidArgumentError } from "../errors/errors.js";

/**
 * How long to wait between attempts: exponential growth from `initialDelay` up to `maxDelay`, less a
 * random share of up to `jitter` of it, so that many clients failing together do not come back together.
 * Every retry loop of the product (the events client, the reporter, DynamoDB, Timestream) takes this shape
 * with its own defaults.
 */
export interface Backoff {
  /** Delay before the first retry (before jitter), ms. */
  initialDelay: number;
  /** The most a delay grows to (before jitter), ms. */
  maxDelay: number;
  /** Growth per consecutive failure. */
  multiplier: number;
  /** Share of each delay drawn at random: 0 none, 0.5 within its upper half, 1 anywhere below it. */
  jitter: number;
}

/** A backoff to be completed from defaults; an undefined property keeps the default. */
export type BackoffOptions = { [K in keyof Backoff]?: Backoff[K] | undefined };

/**
 * `options` over `defaults`, checked.
 * @throws InvalidArgumentError naming `what` and the setting out of range
 */
export function resolveBackoff(
  options: BackoffOptions | undefined,
  defaults: Backoff,
  what = "backoff",
): Backoff {
  const resolved: Backoff = { ...defaults };
  for (const key of ["initialDelay", "maxDelay", "multiplier", "jitter"] as const) {
    const value = options?.[key];
    if (value !== undefined) resolved[key] = value;
  }
  const { initialDelay, maxDelay, multiplier, jitter } = resolved;
  const invalid = (message: string) => new InvalidArgumentError(`${what}: ${message}`);
  if (!(initialDelay > 0 && Number.isFinite(initialDelay)))
    throw invalid("initialDelay must be a positive number of ms");
  if (!(maxDelay >= initialDelay && Number.isFinite(maxDelay)))
    throw invalid("maxDelay must be at least initialDelay");
  if (!(multiplier >= 1 && Number.isFinite(multiplier))) throw invalid("multiplier must be at least 1");
  if (!(jitter >= 0 && jitter <= 1)) throw invalid("jitter must be between 0 and 1");
  return resolved;
}

/**
 * The pause after `failures` consecutive failures (1 for the first retry), ms. `random` returns a number
 * in [0, 1).
 */
export function backoffDelay(failures: number, backoff: Backoff, random: () => number = Math.random): number {
  // A power that overflows to Infinity is capped like any other.
  const exponent = Math.max(0, failures - 1);
  const ceiling = Math.min(backoff.maxDelay, backoff.initialDelay * Math.pow(backoff.multiplier, exponent));
  return ceiling * (1 - backoff.jitter * random());
}
