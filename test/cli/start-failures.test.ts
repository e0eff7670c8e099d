import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../src/tenants/index.js";
import { runCli } from "../support/cli.js";
import { freePort, startCli } from "../support/processes.js";

/**
 * A command whose part cannot start (here the metrics endpoint, on a port already taken) exits non-zero
 * with one line saying which, instead of running on with gRPC health saying SERVING. The metrics endpoint
 * follows the loopback rule of the gRPC listeners.
 */
describe("a server command with a part that cannot start", () => {
  let dir: string;
  let taken: Server;
  let takenPort: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tenant-events-start-"));
    await writeFile(
      join(dir, "tokens.json"),
      JSON.stringify({ tenants: [{ id: "acme", token_sha256: hashToken("acme-token") }] }),
    );
    taken = createServer();
    taken.listen(0, "127.0.0.1");
    await once(taken, "listening");
    const address = taken.address();
    takenPort = typeof address === "object" && address !== null ? address.port : 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => taken?.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const commands: [string, (grpcPort: number) => string[]][] = [
    ["serve", (port) => ["serve", "--audit-log", `file:${dir}`, "--listen", `127.0.0.1:${port}`]],
    [
      "tenants",
      (port) => [
        "tenants",
        "--sink",
        `duckdb:${join(dir, "usage.duckdb")}`,
        "--tenant-tokens",
        join(dir, "tokens.json"),
        "--listen",
        `127.0.0.1:${port}`,
      ],
    ],
  ];

  it.each(commands)("%s exits 1 with one line when --metrics-listen is in use", async (_name, args) => {
    const grpcPort = await freePort();
    const result = await runCli([...args(grpcPort), "--metrics-listen", `127.0.0.1:${takenPort}`], {
      signal: AbortSignal.timeout(60_000),
    });

    expect(result.code).toBe(1);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("error: "));
    expect(lines).toEqual([
      expect.stringMatching(`^error: cannot listen on 127.0.0.1:${takenPort} for metrics: .*EADDRINUSE`),
    ]);
    expect(result.stderr).not.toMatch(/(server|service) ready/);
  });

  it.each(commands)(
    "%s refuses --metrics-listen beyond loopback (exit 2) unless TENANT_EVENTS_METRICS_LISTEN_PUBLIC opts in",
    async (_name, args) => {
      const grpcPort = await freePort();
      const refused = await runCli([...args(grpcPort), "--metrics-listen", "0.0.0.0:0"], {
        signal: AbortSignal.timeout(60_000),
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^error: refusing to serve metrics on 0\.0\.0\.0:0: /m);

      const metricsPort = await freePort();
      const server = startCli([...args(grpcPort), "--metrics-listen", `0.0.0.0:${metricsPort}`], {
        TENANT_EVENTS_METRICS_LISTEN_PUBLIC: "true",
      });
      try {
        await server.waitForLog(/(server|service) ready/);
        expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
        server.child.kill("SIGTERM");
        expect(await server.exited).toBe(0);
      } finally {
        server.child.kill("SIGKILL");
      }
    },
  );
});
