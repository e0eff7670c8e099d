import { watch, type FSWatcher } from "node:fs";
import type { Logger } from "../../observability/logger.js";

export interface ChangeWaiterOptions {
  /** Watch the directory for prompt wake-ups. */
  watch: boolean;
  /** Longest wait without a notification: the fallback that always works. */
  pollIntervalMs: number;
  logger: Logger;
}

/**
 * Waits for a directory's files to change: wakes on an fs.watch notification, after the poll interval,
 * or on abort, whichever comes first. A notification that arrives while the caller is busy reading is
 * remembered, so the next wait returns at once and no append is missed.
 */
export class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private changed = false;
  private wake: (() => void) | undefined;

  constructor(
    dir: string,
    private readonly options: ChangeWaiterOptions,
  ) {
    if (!options.watch) return;
    try {
      // Not persistent: the poll timer keeps the process alive while someone waits.
      this.watcher = watch(dir, { persistent: false }, () => this.notify());
      this.watcher.on("error", (err) => {
        options.logger.warn({ err }, "watching the audit log directory failed; polling only");
        this.closeWatcher();
      });
    } catch (err) {
      options.logger.warn({ err }, "cannot watch the audit log directory; polling only");
    }
  }

  /** Resolves on a change since the last wait, after the poll interval, or when `signal` aborts. */
  async wait(signal: AbortSignal): Promise<void> {
    if (!this.changed && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, this.options.pollIntervalMs);
        signal.addEventListener("abort", done, { once: true });
        this.wake = done;
      });
    }
    this.changed = false;
  }

  close(): void {
    this.closeWatcher();
    this.wake?.();
  }

  private notify(): void {
    this.changed = true;
    this.wake?.();
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
