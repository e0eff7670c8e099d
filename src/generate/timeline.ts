/**
 * Absolute times for a scenario's events from their offsets after its start. When the last would fall
 * after `limit` (the end of the generated range), the offsets are scaled down to fit, keeping order.
 */
export function fitTimes(start: number, limit: number, offsets: readonly number[]): number[] {
  const last = offsets.length === 0 ? 0 : Math.max(...offsets);
  const room = Math.max(0, limit - start);
  const scale = last > room ? room / last : 1;
  return offsets.map((offset) => start + Math.floor(Math.max(0, offset) * scale));
}

/** `count` sorted offsets spread at random inside (from, to). */
export function spread(random: () => number, count: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) out.push(from + random() * (to - from));
  return out.sort((a, b) => a - b);
}
