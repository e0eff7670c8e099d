import type { ServerTlsOptions } from "../grpc/tls.js";
import { parseListenAddress, type ListenAddress } from "../grpc/listen-address.js";
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

/**
 * Parses `--metrics-listen` up front (a bad address is bad input, before anything starts) and returns a
 * function that starts the endpoint once the command's registry is filled.
 */
export function metricsFromFlags(flags: {
  metricsListen?: string;
}): (registry: Registry) => Promise<MetricsEndpoint> {
  const address: ListenAddress | undefined =
    flags.metricsListen === undefined ? undefined : parseListenAddress(flags.metricsListen);
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
