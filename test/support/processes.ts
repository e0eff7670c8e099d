import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { cleanEnv, REPO_ROOT } from "./cli.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** A free TCP port on loopback (closed again before returning, so a child process can bind it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything written to stderr so far (logs). */
  stderr: () => string;
  /** Resolves when a stderr line matches. */
  waitForLog: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts a long-running CLI command (e.g. `serve`) with JSON logs on stderr. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args, "--log-format", "json"], {
    cwd: REPO_ROOT,
    env: { ...cleanEnv(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    for (const w of [...waiters]) {
      if (w.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    exited,
    waitForLog: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms:\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          if (!pattern.test(stderr))
            reject(new Error(`process exited before logging ${pattern}:\n${stderr}`));
        });
      }),
  };
}
