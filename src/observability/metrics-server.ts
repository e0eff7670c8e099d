import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { FailedPreconditionError } from "../errors/errors.js";

/**
 * Serves `GET /metrics` (Prometheus text format) from a registry; anything else is 404.
 * @throws FailedPreconditionError when the address cannot be bound (e.g. in use)
 */
export async function startMetricsServer(
  registry: Registry,
  host: string,
  port: number,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    registry
      .metrics()
      .then((text) => res.writeHead(200, { "content-type": registry.contentType }).end(text))
      .catch(() => res.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => {
      const where = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
      reject(
        new FailedPreconditionError(`cannot listen on ${where} for metrics: ${err.message}`, { cause: err }),
      );
    });
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
