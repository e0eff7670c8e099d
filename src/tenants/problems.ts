import { InvalidArgumentError } from "../errors/errors.js";

/**
 * Collects what is wrong with a batch so one refusal names every problem (up to a bound) instead of
 * making the sender fix them one round trip at a time.
 */
export class Problems {
  readonly #kept: string[] = [];
  #count = 0;

  /** @param maxReported how many messages the refusal quotes; the rest are only counted */
  constructor(private readonly maxReported: number) {}

  get count(): number {
    return this.#count;
  }

  add(message: string): void {
    this.#count += 1;
    if (this.#kept.length < this.maxReported) this.#kept.push(message);
  }

  /**
   * @param what names the batch, e.g. "events batch"
   * @throws InvalidArgumentError listing the first problems and counting the rest, when there are any
   */
  throwIfAny(what: string): void {
    if (this.#count === 0) return;
    const noun = this.#count === 1 ? "problem" : "problems";
    const more = this.#count - this.#kept.length;
    const tail = more > 0 ? `; and ${more} more` : "";
    throw new InvalidArgumentError(
      `${what} rejected, nothing stored (${this.#count} ${noun}): ${this.#kept.join("; ")}${tail}`,
    );
  }
}
