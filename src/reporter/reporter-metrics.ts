import { counter, gauge, startAtZero, type Registry } from "../observability/metrics.js";
import type { StreamLag } from "./stream-lag.js";

/** The reporter's counters (the consecutive-failure gauge lives in SubmissionHealth). */
export function reporterMetrics(registry: Registry, lag: StreamLag) {
  const metrics = {
    consumed: counter(registry, {
      name: "tenant_events_reporter_events_consumed_total",
      help: "Audit events read from the events server.",
    }),
    submitted: counter(registry, {
      name: "tenant_events_reporter_events_submitted_total",
      help: "Activity events the tenants service acknowledged.",
    }),
    batches: counter(registry, {
      name: "tenant_events_reporter_batches_submitted_total",
      help: "Batches the tenants service acknowledged.",
    }),
    rejected: counter(registry, {
      name: "tenant_events_reporter_events_rejected_total",
      help: "Activity events skipped because the tenants service would refuse them (invalid) or they are too large (oversize).",
      labelNames: ["reason"],
    }),
    lag: gauge(registry, {
      name: "tenant_events_reporter_stream_lag_seconds",
      help: "How far behind the audit log the reporter is: now minus the time of the last audit event read, 0 once the stream has nothing waiting.",
      collect() {
        this.set(lag.seconds());
      },
    }),
    cursorSaves: counter(registry, {
      name: "tenant_events_reporter_cursor_saves_total",
      help: "Checkpoints saved, after acknowledged batches or runs of filtered-out events.",
    }),
  };
  startAtZero(metrics.rejected, [{ reason: "invalid" }, { reason: "oversize" }]);
  return metrics;
}

export type ReporterMetrics = ReturnType<typeof reporterMetrics>;
