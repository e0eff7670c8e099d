import { ERROR_KINDS, isDomainError } from "../errors/errors.js";
import type { Logger } from "../observability/logger.js";
import { counter, gauge, startAtZero, type Registry } from "../observability/metrics.js";

/**
 * Tracks consecutive failed submissions: the gauge `tenant_events_reporter_consecutive_failures` always,
 * and an error log line once `unhealthyAfter` failures have happened in a row (then again at every
 * further multiple), so an outage that retries hide is still seen. A success resets it.
 */
export class SubmissionHealth {
  readonly #logger: Logger;
  readonly #unhealthyAfter: number;
  readonly #consecutive;
  readonly #failures;
  #count = 0;

  constructor(registry: Registry, logger: Logger, unhealthyAfter: number) {
    this.#logger = logger;
    this.#unhealthyAfter = unhealthyAfter;
    this.#consecutive = gauge(registry, {
      name: "tenant_events_reporter_consecutive_failures",
      help: "Submissions to the tenants service that failed in a row (0 when the last one succeeded).",
    });
    this.#failures = counter(registry, {
      name: "tenant_events_reporter_submit_failures_total",
      help: "Failed submissions to the tenants service, by error kind.",
      labelNames: ["kind"],
    });
    this.#consecutive.set(0);
    startAtZero(
      this.#failures,
      [...ERROR_KINDS, "other"].map((kind) => ({ kind })),
    );
  }

  get consecutiveFailures(): number {
    return this.#count;
  }

  failed(err: unknown, what: string): void {
    this.#count++;
    this.#consecutive.set(this.#count);
    this.#failures.inc({ kind: isDomainError(err) ? err.kind : "other" });
    if (this.#count % this.#unhealthyAfter === 0) {
      this.#logger.error(
        { err, consecutiveFailures: this.#count },
        `${what} has failed ${this.#count} times in a row; the cursor is not advancing`,
      );
    }
  }

  succeeded(): void {
    if (this.#count >= this.#unhealthyAfter) {
      this.#logger.info({ consecutiveFailures: this.#count }, "submissions succeed again");
    }
    this.#count = 0;
    this.#consecutive.set(0);
  }
}
