import type { Counter, Gauge } from "prom-client";
import { counter, gauge, startAtZero, type Registry } from "../observability/metrics.js";

/** The events server's metrics. */
export interface StreamMetrics {
  eventsStreamed: Counter;
  activeStreams: Gauge;
  /** Streams by how they ended: a gRPC status name, or "CLIENT_GONE" when the client cancelled. */
  streamsEnded: Counter<"status">;
}

/** The ends worth alerting on, created at 0. */
const STREAM_ENDS = [
  "OK",
  "CLIENT_GONE",
  "UNAVAILABLE",
  "DATA_LOSS",
  "INVALID_ARGUMENT",
  "RESOURCE_EXHAUSTED",
];

export function streamMetrics(registry: Registry): StreamMetrics {
  const metrics: StreamMetrics = {
    eventsStreamed: counter(registry, {
      name: "tenant_events_server_events_streamed_total",
      help: "Audit events written to StreamEvents calls.",
    }),
    activeStreams: gauge(registry, {
      name: "tenant_events_server_active_streams",
      help: "StreamEvents calls currently streaming.",
    }),
    streamsEnded: counter(registry, {
      name: "tenant_events_server_streams_ended_total",
      help: "StreamEvents calls that ended, by status.",
      labelNames: ["status"],
    }),
  };
  startAtZero(
    metrics.streamsEnded,
    STREAM_ENDS.map((status) => ({ status })),
  );
  return metrics;
}
