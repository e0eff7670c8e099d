import type { CursorStore } from "./cursor-store/cursor-store.js";

/**
 * Saves cursors to a CursorStore one at a time, the newest winning: a cursor asked for while a save is
 * in progress is saved after it, and of several asked for meanwhile only the last (cursors are asked
 * for in stream order, so the last covers the others). With acknowledgements arriving faster than the
 * store syncs, this saves less often without ever saving a cursor nobody asked for.
 *
 * Once the store has failed, every later save rejects with that failure: nothing is saved after a save
 * that may or may not have happened.
 */
export class CursorSaver {
  readonly #store: CursorStore;
  readonly #onSaved: (cursor: string) => void;
  #saved: string;
  #wanted: string;
  #running: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;

  /**
   * @param saved the cursor the store holds now
   * @param onSaved called after each completed save
   */
  constructor(store: CursorStore, saved: string, onSaved: (cursor: string) => void = () => {}) {
    this.#store = store;
    this.#saved = saved;
    this.#wanted = saved;
    this.#onSaved = onSaved;
  }

  /** The cursor saved last. */
  get saved(): string {
    return this.#saved;
  }

  /** The cursor asked for last: saved, or being saved. */
  get wanted(): string {
    return this.#wanted;
  }

  /**
   * Asks for `cursor` (not "") to be saved; resolves once it or a later one is.
   * @throws what the store throws, for this save and every later one
   */
  async save(cursor: string): Promise<void> {
    if (cursor === "") throw new RangeError("the empty cursor is never saved");
    if (this.#failure !== undefined) throw this.#failure.error;
    this.#wanted = cursor;
    if (this.#running === undefined && cursor !== this.#saved) this.#running = this.#loop();
    await this.#running;
  }

  /** Resolves once no save is in progress (whether or not the last one succeeded). */
  async settled(): Promise<void> {
    while (this.#running !== undefined) await this.#running.catch(() => {});
  }

  async #loop(): Promise<void> {
    try {
      while (this.#wanted !== this.#saved) {
        const cursor = this.#wanted;
        await this.#store.save(cursor);
        this.#saved = cursor;
        this.#onSaved(cursor);
      }
    } catch (error) {
      this.#failure = { error };
      throw error;
    } finally {
      this.#running = undefined;
    }
  }
}
