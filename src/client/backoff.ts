import { InvalidArgumentError } from "../errors/errors.js";

/** How a client waits between reconnection attempts. */
export interface BackoffOptions {
  /** Delay before the first retry. Default 100 ms. */
  initialMs?: number;
  /** Cap on any one delay. Default 5 s. */
  maxMs?: number;
  /** Growth per consecutive failure. Default 2. */
  multiplier?: number;
  /** Fraction of each delay that is randomized away (0: none, 1: "full jitter"). Default 0.5. */
  jitter?: number;
  /** Consecutive failed attempts before giving up. Default Infinity (never). */
  maxAttempts?: number;
  /** Give up once this long has passed without a delivered event. Default Infinity (never). */
  giveUpAfterMs?: number;
}

export type ResolvedBackoff = Required<BackoffOptions>;

export const DEFAULT_BACKOFF: ResolvedBackoff = Object.freeze({
  initialMs: 100,
  maxMs: 5_000,
  multiplier: 2,
  jitter: 0.5,
  maxAttempts: Infinity,
  giveUpAfterMs: Infinity,
});

/** Applies defaults and checks ranges. @throws InvalidArgumentError */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const resolved = { ...DEFAULT_BACKOFF, ...stripUndefined(options) };
  const { initialMs, maxMs, multiplier, jitter, maxAttempts, giveUpAfterMs } = resolved;
  if (!(initialMs > 0 && Number.isFinite(initialMs))) throw invalid("initialMs must be a positive number");
  if (!(maxMs >= initialMs && Number.isFinite(maxMs))) throw invalid("maxMs must be at least initialMs");
  if (!(multiplier >= 1 && Number.isFinite(multiplier))) throw invalid("multiplier must be at least 1");
  if (!(jitter >= 0 && jitter <= 1)) throw invalid("jitter must be between 0 and 1");
  if (!(maxAttempts >= 1)) throw invalid("maxAttempts must be at least 1");
  if (!(giveUpAfterMs >= 0)) throw invalid("giveUpAfterMs must not be negative");
  return resolved;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): exponential growth capped at `maxMs`,
 * less a random share of up to `jitter` of it so that many clients dropped at once do not return in step.
 * `random` returns a number in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  backoff: ResolvedBackoff,
  random: () => number = Math.random,
): number {
  const exponential = backoff.initialMs * Math.pow(backoff.multiplier, attempt);
  const capped = Math.min(backoff.maxMs, exponential);
  return capped * (1 - backoff.jitter * random());
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`backoff: ${message}`);
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
