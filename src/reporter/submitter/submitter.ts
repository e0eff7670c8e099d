import type {
  Event,
  SubmitEventsResponse,
  SubmitUsageReportsResponse,
  UsageReport,
} from "../../gen/tenants/tenants.js";

export interface SubmitOptions {
  /** Cancels the call; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The central side as the reporter sees it: TenantsService. Implementations translate their failures
 * into domain errors (src/errors), which the retry policy classifies.
 *
 * Implementations: GrpcSubmitter (grpc-submitter.ts).
 */
export interface Submitter {
  /**
   * Submits one batch. Resolving is the acknowledgement: the central side has durably stored every
   * event. All-or-nothing; re-sending is harmless (events are idempotent on id).
   */
  submitEvents(events: readonly Event[], options?: SubmitOptions): Promise<SubmitEventsResponse>;
  /** Submits resource counts. */
  submitUsageReports(
    reports: readonly UsageReport[],
    options?: SubmitOptions,
  ): Promise<SubmitUsageReportsResponse>;
}
