import type { Counter } from "prom-client";
import { ERROR_KINDS } from "../errors/errors.js";
import { counter, startAtZero, type Registry } from "../observability/metrics.js";

/** Metrics shared by the sinks, labelled with `sink` ("duckdb", "timestream", "postgres"). */
export interface SinkMetrics {
  /** Items durably accepted, by `item` ("event", "usage_report"); re-sent duplicates count again. */
  readonly written: Counter<"sink" | "item">;
  /** Batches rejected, by `reason` (the DomainError kind). */
  readonly failedBatches: Counter<"sink" | "reason">;
  /** Requests retried after throttling or a server error. */
  readonly retries: Counter<"sink">;
  /** Records the store rejected, by `cause` ("duplicate", "retention", "future", "other"). */
  readonly rejectedRecords: Counter<"sink" | "cause">;
}

/** The sink's metrics, every series of `sink` created at 0. */
export function sinkMetrics(registry: Registry, sink: "duckdb" | "timestream" | "postgres"): SinkMetrics {
  const metrics: SinkMetrics = {
    written: counter(registry, {
      name: "tenant_events_sink_items_written_total",
      help: "Events and usage reports durably accepted by the sink (re-sent duplicates included).",
      labelNames: ["sink", "item"],
    }),
    failedBatches: counter(registry, {
      name: "tenant_events_sink_failed_batches_total",
      help: "Batches the sink did not acknowledge, by error kind.",
      labelNames: ["sink", "reason"],
    }),
    retries: counter(registry, {
      name: "tenant_events_sink_retries_total",
      help: "Store requests retried after throttling or a server error.",
      labelNames: ["sink"],
    }),
    rejectedRecords: counter(registry, {
      name: "tenant_events_sink_rejected_records_total",
      help: "Records the store rejected, by cause; harmless duplicates included.",
      labelNames: ["sink", "cause"],
    }),
  };
  startAtZero(metrics.written, [
    { sink, item: "event" },
    { sink, item: "usage_report" },
  ]);
  startAtZero(
    metrics.failedBatches,
    ERROR_KINDS.map((reason) => ({ sink, reason })),
  );
  startAtZero(metrics.retries, [{ sink }]);
  startAtZero(
    metrics.rejectedRecords,
    ["duplicate", "retention", "future", "other"].map((cause) => ({ sink, cause })),
  );
  return metrics;
}
