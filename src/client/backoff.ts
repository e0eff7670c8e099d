import { InvalidArgumentError } from "../errors/errors.js";
import { resolveBackoff, type Backoff, type BackoffOptions } from "../time/backoff.js";

/** How a client reconnects: the product's backoff shape, and when to give up. */
export interface ReconnectOptions extends BackoffOptions {
  /** Delay before the first retry. Default 100 ms. */
  initialDelay?: number;
  /** Cap on any one delay. Default 5 s. */
  maxDelay?: number;
  /** Growth per consecutive failure. Default 2. */
  multiplier?: number;
  /** Share of each delay drawn at random (0: none, 1: "full jitter"). Default 0.5. */
  jitter?: number;
  /** Consecutive failed attempts before giving up. Default Infinity (never). */
  maxAttempts?: number;
  /** Give up once this long (ms) has passed without a delivered event. Default Infinity (never). */
  giveUpAfter?: number;
}

export interface ResolvedReconnect extends Backoff {
  maxAttempts: number;
  giveUpAfter: number;
}

export const DEFAULT_RECONNECT: Readonly<ResolvedReconnect> = Object.freeze({
  initialDelay: 100,
  maxDelay: 5_000,
  multiplier: 2,
  jitter: 0.5,
  maxAttempts: Infinity,
  giveUpAfter: Infinity,
});

/** Applies defaults and checks ranges. @throws InvalidArgumentError */
export function resolveReconnect(options: ReconnectOptions = {}): ResolvedReconnect {
  const backoff = resolveBackoff(options, DEFAULT_RECONNECT, "reconnect backoff");
  const maxAttempts = options.maxAttempts ?? DEFAULT_RECONNECT.maxAttempts;
  const giveUpAfter = options.giveUpAfter ?? DEFAULT_RECONNECT.giveUpAfter;
  if (!(maxAttempts >= 1))
    throw new InvalidArgumentError("reconnect backoff: maxAttempts must be at least 1");
  if (!(giveUpAfter >= 0))
    throw new InvalidArgumentError("reconnect backoff: giveUpAfter must not be negative");
  return { ...backoff, maxAttempts, giveUpAfter };
}
