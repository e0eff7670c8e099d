import type { Anonymizer } from "./anonymizer.js";

/**
 * Remembers the tokens of recent inputs. An audit log names the same clusters and users over and over,
 * and an HMAC per name per event was among the reporter's largest costs; a lookup is far cheaper. Bounded:
 * past `capacity` distinct inputs, the one remembered longest is forgotten.
 */
export class MemoAnonymizer implements Anonymizer {
  readonly #inner: Anonymizer;
  readonly #capacity: number;
  readonly #tokens = new Map<string, string>();

  /** @param capacity most inputs remembered (at most a few MiB at the default). Default 10 000. */
  constructor(inner: Anonymizer, capacity = 10_000) {
    this.#inner = inner;
    this.#capacity = capacity;
  }

  /** How many inputs are remembered. */
  get size(): number {
    return this.#tokens.size;
  }

  anonymize(value: string): string {
    const known = this.#tokens.get(value);
    if (known !== undefined) return known;
    const token = this.#inner.anonymize(value);
    if (this.#tokens.size >= this.#capacity) {
      for (const oldest of this.#tokens.keys()) {
        this.#tokens.delete(oldest);
        break;
      }
    }
    this.#tokens.set(value, token);
    return token;
  }
}
