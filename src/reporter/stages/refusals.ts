import type { InvalidArgumentError } from "../../errors/errors.js";
import type { Logger } from "../../observability/logger.js";
import { RefusedActivityEventError } from "../activity-builder.js";
import type { ReporterMetrics } from "../reporter-metrics.js";

/** Why an activity event was skipped: the tenants service would refuse it, or it is too large. */
export type RefusalReason = "invalid" | "oversize";

/** Takes note of an activity event skipped. */
export type OnRefused = (err: InvalidArgumentError, reason: RefusalReason) => void;

/** Logs (the event's id and problems, never its user) and counts each activity event skipped. */
export function logRefusals(metrics: Pick<ReporterMetrics, "rejected">, logger: Logger): OnRefused {
  return (err, reason) => {
    metrics.rejected.inc({ reason });
    const refused =
      err instanceof RefusedActivityEventError ? { id: err.eventId, problems: err.problems } : {};
    logger.error({ err, reason, ...refused }, `activity event skipped: ${err.message}`);
  };
}
