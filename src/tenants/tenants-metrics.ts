import type { Counter, Histogram } from "prom-client";
import { counter, histogram, startAtZero, type Registry } from "../observability/metrics.js";

/** Which call a metric is about. */
export type Rpc = "submit_events" | "submit_usage_reports";

/**
 * Why a batch was refused: the stage that refused it, and for the sink its error kind
 * ("sink_unavailable", "sink_internal", …).
 */
export type RejectReason =
  "unauthenticated" | "permission_denied" | "too_large" | "invalid" | "rate_limited" | `sink_${string}`;

/**
 * The tenants service's metrics. `tenant` labels are bounded by the configured tenants (they come from
 * credentials, never from requests); calls refused before authentication have tenant "".
 */
export interface TenantsMetrics {
  /** Batches by outcome: result "accepted" (reason "") or "rejected" with a RejectReason. */
  readonly batches: Counter<"rpc" | "tenant" | "result" | "reason">;
  /** Events acknowledged after the sink stored them (re-sent duplicates count again). */
  readonly eventsWritten: Counter<"tenant">;
  /** Usage reports acknowledged after the sink stored them. */
  readonly usageReportsWritten: Counter<"tenant">;
  /** Time the sink took to store a batch, by outcome "ok" or "error". */
  readonly sinkWriteSeconds: Histogram<"rpc" | "outcome">;
  /** Events in batches refused by the per-tenant rate limit. */
  readonly rateLimitedEvents: Counter<"tenant">;
}

/** The service's metrics; each configured tenant's counters start at 0 (accepted batches, writes). */
export function tenantsMetrics(registry: Registry, tenants: readonly string[] = []): TenantsMetrics {
  const metrics: TenantsMetrics = {
    batches: counter(registry, {
      name: "tenant_events_tenants_batches_total",
      help: "Batches submitted to the tenants service, by call, tenant, result and rejection reason.",
      labelNames: ["rpc", "tenant", "result", "reason"],
    }),
    eventsWritten: counter(registry, {
      name: "tenant_events_tenants_events_written_total",
      help: "Events acknowledged to tenants after the sink durably stored them.",
      labelNames: ["tenant"],
    }),
    usageReportsWritten: counter(registry, {
      name: "tenant_events_tenants_usage_reports_written_total",
      help: "Usage reports acknowledged to tenants after the sink durably stored them.",
      labelNames: ["tenant"],
    }),
    sinkWriteSeconds: histogram(registry, {
      name: "tenant_events_tenants_sink_write_seconds",
      help: "Time the sink took to store one batch.",
      labelNames: ["rpc", "outcome"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    rateLimitedEvents: counter(registry, {
      name: "tenant_events_tenants_rate_limited_events_total",
      help: "Events in batches refused by the per-tenant rate limit.",
      labelNames: ["tenant"],
    }),
  };
  const rpcs: Rpc[] = ["submit_events", "submit_usage_reports"];
  startAtZero(
    metrics.batches,
    tenants.flatMap((tenant) => rpcs.map((rpc) => ({ rpc, tenant, result: "accepted", reason: "" }))),
  );
  for (const written of [metrics.eventsWritten, metrics.usageReportsWritten, metrics.rateLimitedEvents]) {
    startAtZero(
      written,
      tenants.map((tenant) => ({ tenant })),
    );
  }
  return metrics;
}
