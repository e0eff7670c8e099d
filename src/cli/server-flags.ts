import type { ServerTlsOptions } from "../grpc/tls.js";
import { InvalidArgumentError } from "../errors/errors.js";
import {
  formatListenAddress,
  isLoopbackHost,
  parseListenAddress,
  type ListenAddress,
} from "../grpc/listen-address.js";
import type { Registry } from "../observability/metrics.js";
import { startMetricsServer } from "../observability/metrics-server.js";
import { UsageError } from "./usage-error.js";

/** The TLS flags every server command takes. */
export interface ServerTlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
}

/** TLS settings from the flags: none without a certificate. @throws UsageError for half a key pair */
export function serverTlsFromFlags(flags: ServerTlsFlags): ServerTlsOptions | undefined {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) return undefined;
  return { certPath: flags.tlsCert, keyPath: flags.tlsKey, clientCaPath: flags.tlsClientCa };
}

/** A running `/metrics` endpoint, or none. */
export interface MetricsEndpoint {
  port: number | undefined;
  close(): Promise<void>;
}

/** The metrics flags of `serve`, `tenants`, `report` and `demo`. */
export interface MetricsFlags {
  metricsListen?: string;
  /** Allows `metricsListen` beyond loopback. Default false. */
  metricsListenPublic?: boolean;
}

/**
 * Parses `--metrics-listen` up front (a bad or disallowed address is bad input, before anything starts)
 * and returns a function that starts the endpoint once the command's registry is filled.
 *
 * `/metrics` is plain HTTP without authentication and shows tenant ids and volumes, so it follows the
 * listen rule of the gRPC servers (loopback only), with one explicit opt-in, `--metrics-listen-public`,
 * for a scraper that must reach a pod address.
 * @throws InvalidArgumentError for a bad address, or one beyond loopback without the opt-in
 */
export function metricsFromFlags(flags: MetricsFlags): (registry: Registry) => Promise<MetricsEndpoint> {
  const address: ListenAddress | undefined =
    flags.metricsListen === undefined ? undefined : parseListenAddress(flags.metricsListen);
  if (address !== undefined && !isLoopbackHost(address.host) && flags.metricsListenPublic !== true) {
    throw new InvalidArgumentError(
      `refusing to serve metrics on ${formatListenAddress(address)}: /metrics is plain HTTP without ` +
        `authentication and shows tenant ids and volumes; listen on a loopback address, or add ` +
        `--metrics-listen-public (TENANT_EVENTS_METRICS_LISTEN_PUBLIC=true) for a scraper that must reach it`,
    );
  }
  return async (registry) => {
    if (address === undefined) return { port: undefined, close: () => Promise.resolve() };
    return startMetricsServer(registry, address.host, address.port);
  };
}

/** Waits for the command's stop signal, then shuts the server down gracefully. */
export async function serveUntilAborted(
  signal: AbortSignal,
  server: { shutdown(): Promise<void> },
): Promise<void> {
  if (!signal.aborted) {
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }
  await server.shutdown();
}
