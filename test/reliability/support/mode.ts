/**
 * How big a reliability run is. `RELIABILITY=quick` (the default) fits CI on a 2-core machine in about
 * three minutes; `RELIABILITY=full` is the on-demand run the figures in docs/RELIABILITY.md come from.
 * `RELIABILITY_SEED` makes the random moments (kill times, fuzz cases) reproducible; every run prints it.
 */
export type Mode = "quick" | "full";

function readMode(): Mode {
  const value = process.env["RELIABILITY"] ?? "quick";
  if (value !== "quick" && value !== "full") {
    throw new Error(`RELIABILITY must be "quick" or "full", got "${value}"`);
  }
  return value;
}

function readSeed(): number {
  const text = process.env["RELIABILITY_SEED"];
  if (text === undefined || text === "") return Math.floor(Math.random() * 0x7fff_ffff);
  if (!/^\d+$/.test(text)) throw new Error(`RELIABILITY_SEED must be a whole number, got "${text}"`);
  return Number(text) % 0x8000_0000;
}

export const MODE: Mode = readMode();
export const SEED: number = readSeed();

/** `quick` in the quick run, `full` in the full one. */
export function byMode<T>(quick: T, full: T): T {
  return MODE === "quick" ? quick : full;
}

/** A seeded PRNG (mulberry32) for random moments; `salt` separates the streams of different tests. */
export function random(salt: number): () => number {
  let state = (SEED ^ Math.imul(salt, 0x9e37_79b9)) >>> 0;
  return () => {
    state = (state + 0x6d2b_79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** Prints one line of figures (collected into docs/RELIABILITY.md by hand from a full run). */
export function figure(test: string, values: Record<string, unknown>): void {
  console.log(`[reliability ${MODE} seed=${SEED}] ${test}: ${JSON.stringify(values)}`);
}
