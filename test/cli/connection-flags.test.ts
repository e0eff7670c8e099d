import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
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
      "2s",
    ]);
    try {
      await server.waitForLog(/events server ready/);
      const open = () => {
        const socket = connect(port, "127.0.0.1");
        socket.on("error", () => undefined);
        socket.resume();
        const closed = new Promise<Socket>((resolve) => socket.once("close", () => resolve(socket)));
        return { socket, closed };
      };
      const pair = [open(), open()];

      // One of the two is over the cap and closed at once; the other is open until its timeout.
      const refused = await Promise.race(pair.map((p) => p.closed));
      const kept = pair.find((p) => p.socket !== refused);
      expect(kept?.socket.closed).toBe(false);
      await kept?.closed;

      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
