import type { Counter, Gauge } from "prom-client";
import { counter, gauge, type Registry } from "../observability/metrics.js";

/** The events server's metrics. */
export interface StreamMetrics {
  eventsStreamed: Counter;
  activeStreams: Gauge;
  /** Streams by how they ended: a gRPC status name, or "CLIENT_GONE" when the client cancelled. */
  streamsEnded: Counter<"status">;
}

export function streamMetrics(registry: Registry): StreamMetrics {
  return {
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
}
