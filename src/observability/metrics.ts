import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics. Each component declares its own metrics on the registry it is given (one registry
 * per process, served on --metrics-listen); the get-or-create helpers make that safe when two
 * components, or two instances of one, declare the same metric.
 */
export { Registry };

export function newRegistry(): Registry {
  return new Registry();
}

interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export function counter<L extends string = string>(registry: Registry, spec: MetricSpec<L>): Counter<L> {
  const existing = registry.getSingleMetric(spec.name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [registry] });
}

/**
 * Creates the given series at 0, so `rate()` and `increase()` have a sample before the first increment
 * and an alert on a rare event (a data loss gap, a refused batch) can fire on its first occurrence.
 */
export function startAtZero<L extends string>(
  metric: Counter<L>,
  labelSets: readonly Partial<Record<L, string>>[],
): void {
  for (const labels of labelSets) metric.labels(labels).inc(0);
}

export function gauge<L extends string = string>(
  registry: Registry,
  spec: MetricSpec<L> & { collect?: (this: Gauge<L>) => void },
): Gauge<L> {
  const existing = registry.getSingleMetric(spec.name);
  if (existing) return existing as Gauge<L>;
  return new Gauge<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [registry] });
}

export function histogram<L extends string = string>(
  registry: Registry,
  spec: MetricSpec<L> & { buckets?: number[] },
): Histogram<L> {
  const existing = registry.getSingleMetric(spec.name);
  if (existing) return existing as Histogram<L>;
  return new Histogram<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [registry] });
}
