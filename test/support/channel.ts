/**
 * An async iterable fed by the test: items pushed are taken in order, `end` finishes it, `fail` makes the
 * next read throw. `reads` counts the reads asked for, `returned` tells whether the consumer stopped early.
 */
export class Channel<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #ended = false;
  #failure: { error: unknown } | undefined;
  #waiting: (() => void) | undefined;
  reads = 0;
  returned = false;

  push(...items: T[]): void {
    this.#items.push(...items);
    this.#wake();
  }

  end(): void {
    this.#ended = true;
    this.#wake();
  }

  fail(error: unknown): void {
    this.#failure = { error };
    this.#wake();
  }

  /** Items pushed and not taken yet. */
  get buffered(): number {
    return this.#items.length;
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: async (): Promise<IteratorResult<T>> => {
        this.reads++;
        for (;;) {
          if (this.#items.length > 0) return { done: false, value: this.#items.shift() as T };
          if (this.#failure !== undefined) throw this.#failure.error;
          if (this.#ended || this.returned) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (this.#waiting = resolve));
        }
      },
      return: (): Promise<IteratorResult<T>> => {
        this.returned = true;
        this.#wake();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
