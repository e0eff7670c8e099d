import { collectDefaultMetrics } from "prom-client";
import { gauge, newRegistry, type Registry } from "./metrics.js";

/**
 * The registry a command serves on --metrics-listen: prom-client's default process and Node.js metrics
 * (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, heap and
 * GC figures, …) and `tenant_events_build_info`, a constant 1 whose labels say what runs, so dashboards
 * can join on the version and alerts can tell a restart (`process_start_time_seconds`) from an outage.
 */
export function processRegistry(build: { version: string; command: string }): Registry {
  const registry = newRegistry();
  collectDefaultMetrics({ register: registry });
  gauge(registry, {
    name: "tenant_events_build_info",
    help: "Always 1; the labels give the version, the command and the Node.js version running.",
    labelNames: ["version", "command", "node_version"],
  })
    .labels({ version: build.version, command: build.command, node_version: process.version })
    .set(1);
  return registry;
}
