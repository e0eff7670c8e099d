/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32), so generated data
 * is the same for the same seed on every platform and Node version. Not for secrets.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed any 32-bit unsigned integer
   * @param stream independent sequences for the same seed (e.g. one for the population, one for events)
   */
  constructor(seed: number, stream = 0) {
    let state = (seed ^ Math.imul(stream + 1, 0x632be5ab)) | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const [next, output] = splitmix32(state);
      state = next;
      words.push(output);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // xoshiro must not start from all zeros; splitmix32 makes that practically impossible, but be sure.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** A uniform unsigned 32-bit integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1), 53 bits. */
  float(): number {
    const high = this.uint32() >>> 5;
    const low = this.uint32() >>> 6;
    return (high * 67_108_864 + low) / 9_007_199_254_740_992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** A uniform integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[this.int(items.length)] as T;
  }

  /** Log-uniform in [min, max): durations, sizes and other quantities spread over magnitudes. */
  logUniform(min: number, max: number): number {
    return min * Math.exp(this.float() * Math.log(max / min));
  }

  /** A random (version 4) UUID, as Teleport's uids and session ids are. */
  uuid(): string {
    const w0 = this.uint32();
    const w1 = this.uint32();
    const w2 = this.uint32();
    const w3 = this.uint32();
    const byte = (w: number, i: number): string => HEX[(w >>> (24 - 8 * i)) & 0xff] as string;
    const version = HEX[0x40 | ((w1 >>> 8) & 0x0f)] as string;
    const variant = HEX[0x80 | ((w2 >>> 24) & 0x3f)] as string;
    return (
      byte(w0, 0) +
      byte(w0, 1) +
      byte(w0, 2) +
      byte(w0, 3) +
      "-" +
      byte(w1, 0) +
      byte(w1, 1) +
      "-" +
      version +
      byte(w1, 3) +
      "-" +
      variant +
      byte(w2, 1) +
      "-" +
      byte(w2, 2) +
      byte(w2, 3) +
      byte(w3, 0) +
      byte(w3, 1) +
      byte(w3, 2) +
      byte(w3, 3)
    );
  }

  /** `length` random lowercase hex digits. */
  hex(length: number): string {
    let out = "";
    while (out.length < length) out += HEX[this.uint32() & 0xff] as string;
    return out.slice(0, length);
  }

  /** `length` random bytes. */
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i += 1) out[i] = this.uint32() & 0xff;
    return out;
  }
}
