import { InternalError, isDomainError, type DomainError } from "../../errors/errors.js";

/** A non-retryable refusal, said plainly: same kind as the cause, so callers can still tell them apart. */
export function refusedBatch(err: unknown, events: number): DomainError {
  const reason = err instanceof Error ? err.message : String(err);
  const message =
    `the tenants service refused a batch of ${events} events: ${reason}. The cursor was not advanced, ` +
    `so nothing is skipped: fix the cause and restart to resend` +
    (isDomainError(err) && err.kind === "invalid-argument" ? INVALID_HINT : "");
  if (!isDomainError(err)) return new InternalError(message, { cause: err });
  const Kind = err.constructor as new (message: string, options: { cause: unknown }) => DomainError;
  return new Kind(message, { cause: err });
}

/**
 * Every event was checked with the service's rules before it was sent, so a refusal of its content means
 * the two sides disagree: a time "in the future" is a central clock over 15 minutes behind this side's.
 */
const INVALID_HINT =
  ". Events are checked with the service's own rules before they are sent, so the two sides disagree: " +
  "a time \"in the future\" means the service's clock is over 15 minutes behind this side's (fix the " +
  "clocks; the events are accepted once the service's clock has caught up with them), anything else " +
  "a service configured with other bounds or a different version";
