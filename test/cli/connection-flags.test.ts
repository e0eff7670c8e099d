import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, startCli } from "../support/processes.js";

describe("serve --max-connections and --handshake-timeout", () => {
  it("closes a connection that never calls after the timeout, and refuses one over the cap", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tenant-events-connections-"));
    const port = await freePort();
    const server = startCli([
      "serve",
      "--audit-log",
      `file:${dir}`,
      "--listen",
      `127.0.0.1:${port}`,
      "--max-connections",
      "1",
      "--handshake-timeout",
      "500ms",
    ]);
    try {
      await server.waitForLog(/events server ready/);
      const open = (): Promise<number> =>
        new Promise((resolve) => {
          const started = Date.now();
          const socket = connect(port, "127.0.0.1");
          socket.on("error", () => undefined);
          socket.resume();
          socket.once("close", () => resolve(Date.now() - started));
        });
      const first = open();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const second = await open();
      expect(second).toBeLessThan(400);
      expect(await first).toBeGreaterThanOrEqual(400);
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
