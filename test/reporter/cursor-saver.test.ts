import { describe, expect, it } from "vitest";
import type { CursorStore } from "../../src/reporter/cursor-store/cursor-store.js";
import { CursorSaver } from "../../src/reporter/cursor-saver.js";

/** A store whose saves complete only when the test releases them, one at a time. */
class SlowStore implements CursorStore {
  readonly started: string[] = [];
  readonly saved: string[] = [];
  #release: (() => void)[] = [];
  failNext: Error | undefined;

  load(): Promise<string> {
    return Promise.resolve(this.saved.at(-1) ?? "");
  }

  save(cursor: string): Promise<void> {
    this.started.push(cursor);
    return new Promise((resolve, reject) => {
      this.#release.push(() => {
        const failure = this.failNext;
        this.failNext = undefined;
        if (failure !== undefined) return reject(failure);
        this.saved.push(cursor);
        resolve();
      });
    });
  }

  /** Completes the save in progress. */
  async release(): Promise<void> {
    this.#release.shift()?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

describe("CursorSaver", () => {
  it("saves one cursor at a time and, of those asked for meanwhile, only the newest", async () => {
    const store = new SlowStore();
    const onSaved: string[] = [];
    const saver = new CursorSaver(store, "", (c) => onSaved.push(c));
    const first = saver.save("c1");
    const second = saver.save("c2");
    const third = saver.save("c3");
    expect(store.started).toEqual(["c1"]);
    expect(saver.wanted).toBe("c3");
    await store.release();
    expect(store.started).toEqual(["c1", "c3"]);
    await store.release();
    await Promise.all([first, second, third]);
    expect(store.saved).toEqual(["c1", "c3"]);
    expect(onSaved).toEqual(["c1", "c3"]);
    expect(saver.saved).toBe("c3");
  });

  it("does not save the cursor the store already holds", async () => {
    const store = new SlowStore();
    const saver = new CursorSaver(store, "c1");
    await saver.save("c1");
    await saver.settled();
    expect(store.started).toEqual([]);
  });

  it("starts again for a cursor asked for after the last save ended", async () => {
    const store = new SlowStore();
    const saver = new CursorSaver(store, "");
    const first = saver.save("c1");
    await store.release();
    await first;
    const second = saver.save("c2");
    await store.release();
    await second;
    expect(store.saved).toEqual(["c1", "c2"]);
  });

  it("never saves the empty cursor", async () => {
    const saver = new CursorSaver(new SlowStore(), "");
    await expect(saver.save("")).rejects.toThrow(RangeError);
  });

  it("after a failed save, rejects every later save without touching the store", async () => {
    const store = new SlowStore();
    const saver = new CursorSaver(store, "");
    const crash = new Error("disk gone");
    store.failNext = crash;
    const first = saver.save("c1");
    const second = saver.save("c2");
    await store.release();
    await expect(first).rejects.toBe(crash);
    await expect(second).rejects.toBe(crash);
    await expect(saver.save("c3")).rejects.toBe(crash);
    await saver.settled();
    expect(store.started).toEqual(["c1"]);
    expect(saver.saved).toBe("");
  });
});
