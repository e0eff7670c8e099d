/** Milliseconds from a monotonic clock. */
export function nowMs(): number {
  return performance.now();
}

/** The p-th percentile (0..100) of `values` by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The fastest of `runs` runs (after one warm-up): what `body` counted, and how long it took. */
export async function bestOf(
  runs: number,
  body: () => Promise<number>,
): Promise<{ count: number; ms: number }> {
  await body();
  let fastest = { count: 0, ms: Number.POSITIVE_INFINITY };
  for (let i = 0; i < runs; i++) {
    const start = nowMs();
    const count = await body();
    const ms = nowMs() - start;
    if (ms < fastest.ms) fastest = { count, ms };
  }
  return fastest;
}
