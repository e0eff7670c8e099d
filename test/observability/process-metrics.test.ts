import { describe, expect, it } from "vitest";
import { processRegistry } from "../../src/observability/process-metrics.js";

describe("processRegistry", () => {
  it("serves the process and Node.js metrics and a build_info gauge saying what runs", async () => {
    const registry = processRegistry({ version: "9.8.7", command: "serve" });
    const text = await registry.metrics();
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(text).toMatch(new RegExp(`^${name}[ {]`, "m"));
    }
    expect(text).toContain(
      `tenant_events_build_info{version="9.8.7",command="serve",node_version="${process.version}"} 1`,
    );
  });

  it("gives each call its own registry, so two commands in one process do not clash", async () => {
    const a = processRegistry({ version: "1", command: "serve" });
    const b = processRegistry({ version: "1", command: "tenants" });
    expect(await b.metrics()).toContain('command="tenants"');
    expect(await a.metrics()).not.toContain('command="tenants"');
  });
});
