import type { Prng } from "./prng.js";

/** Picks items with probability proportional to their weights (cumulative sums, binary search). */
export class WeightedPicker<T> {
  private readonly items: readonly T[];
  private readonly cumulative: Float64Array;

  constructor(entries: readonly (readonly [item: T, weight: number])[]) {
    const items: T[] = [];
    this.cumulative = new Float64Array(entries.length);
    let total = 0;
    for (const [item, weight] of entries) {
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`bad weight ${weight}`);
      total += weight;
      this.cumulative[items.length] = total;
      items.push(item);
    }
    this.items = items;
  }

  get size(): number {
    return this.items.length;
  }

  get totalWeight(): number {
    return this.items.length === 0 ? 0 : (this.cumulative[this.items.length - 1] as number);
  }

  pick(prng: Prng): T {
    const total = this.totalWeight;
    if (!(total > 0)) throw new RangeError("pick from nothing");
    const target = prng.float() * total;
    // Rounding can make the product reach the total (tiny totals); the first item whose sum reaches
    // it is then the last one with a positive weight, so a zero weight is still never picked.
    return target < total ? this.firstAbove(target, false) : this.firstAbove(total, true);
  }

  private firstAbove(target: number, inclusive: boolean): T {
    let low = 0;
    let high = this.items.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const sum = this.cumulative[mid] as number;
      if (sum > target || (inclusive && sum === target)) high = mid;
      else low = mid + 1;
    }
    return this.items[low] as T;
  }
}
