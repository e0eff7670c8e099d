import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A benchmark part in a child process of its own (run through tsx), spoken to over IPC: it sends a
 * first message when ready, answers requests one at a time, and exits on "stop".
 */
export class ChildService {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  /** Forks `script` with `args`; resolves with the service and its ready message. */
  static async start(
    script: string,
    args: readonly string[],
  ): Promise<{ service: ChildService; ready: unknown }> {
    const child = fork(script, [...args], {
      // tsx's loader resolved from here, so the child starts whatever the working directory.
      execArgv: ["--import", import.meta.resolve("tsx")],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const service = new ChildService(child);
    try {
      return { service, ready: await service.#next() };
    } catch (err) {
      child.kill("SIGKILL");
      throw err;
    }
  }

  /** Sends `message` and waits for the answer. */
  request(message: string): Promise<unknown> {
    const answer = this.#next();
    this.#child.send(message);
    return answer;
  }

  /** Asks it to stop, and kills it if it has not exited within 5 s. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = once(this.#child, "exit");
      this.#child.send("stop");
      await Promise.race([exited, sleep(5000)]);
    }
    this.#child.kill("SIGKILL");
  }

  #next(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => {
        this.#child.off("message", onMessage);
        reject(new Error(`the benchmark's child process exited (${code})`));
      };
      const onMessage = (message: unknown): void => {
        this.#child.off("exit", onExit);
        resolve(message);
      };
      this.#child.once("exit", onExit);
      this.#child.once("message", onMessage);
    });
  }
}
