import { DEFAULT_SHUTDOWN_GRACE_MS, GrpcServer } from "../grpc/grpc-server.js";
import type { ServerTlsOptions } from "../grpc/tls.js";
import type { Sink } from "../store/sink.js";
import { TENANTS_DEFAULTS, type TenantsServiceOptions } from "./tenants-options.js";
import { createTenantsService } from "./tenants-service.js";
import { DEFAULT_TENANTS_LISTEN } from "./tenants-server-defaults.js";

export interface TenantsServerOptions extends Omit<TenantsServiceOptions, "clientCertificates"> {
  /** "HOST:PORT" or "[IPv6]:PORT". Default DEFAULT_TENANTS_LISTEN; port 0 picks a free port. */
  listen?: string;
  /**
   * Default none: plaintext, loopback only. With `clientCaPath`, clients must present a certificate
   * signed by that CA, and one whose names are listed in the tokens file identifies its tenant.
   */
  tls?: ServerTlsOptions;
  /** Open connections at most. Default DEFAULT_MAX_CONNECTIONS (1 024). */
  maxConnections?: number;
  /** Time a new connection has to start its first call. Default DEFAULT_HANDSHAKE_TIMEOUT_MS (10 s). */
  handshakeTimeoutMs?: number;
}

export { DEFAULT_TENANTS_LISTEN };

/**
 * Room above `maxBatchBytes` in the transport's message limit, so a batch somewhat over the limit is
 * refused by the service with its own message and metrics; grpc-js refuses anything larger itself
 * (RESOURCE_EXHAUSTED) without reading it into a request.
 */
const TRANSPORT_SLACK_BYTES = 1024 * 1024;

/** A running tenants service. The sink stays the caller's to close after `shutdown`. */
export interface TenantsServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /**
   * Graceful: health NOT_SERVING, stop accepting calls, wait up to `graceMs` (default 10 s) for calls in
   * flight to be stored and answered, then force.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Drops every connection at once, as a crash would. */
  forceShutdown(): void;
}

/**
 * Starts TenantsService (with health and reflection) over `sink`. Callers always authenticate (a bearer
 * token, or a client certificate under mutual TLS), so the service may listen beyond loopback once TLS
 * is configured.
 * @throws InvalidArgumentError for bad options, a bad or disallowed listen address or unreadable TLS files
 * @throws FailedPreconditionError when the address cannot be bound
 */
export async function startTenantsServer(sink: Sink, options: TenantsServerOptions): Promise<TenantsServer> {
  const maxBatchBytes = options.maxBatchBytes ?? TENANTS_DEFAULTS.maxBatchBytes;
  const server = new GrpcServer({
    listen: options.listen ?? DEFAULT_TENANTS_LISTEN,
    tls: options.tls,
    authenticated: true,
    logger: options.logger,
    registry: options.registry,
    maxConnections: options.maxConnections,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    channelOptions: { "grpc.max_receive_message_length": maxBatchBytes + TRANSPORT_SLACK_BYTES },
  });
  const { definition, implementation } = createTenantsService(
    sink,
    { ...options, clientCertificates: options.tls?.clientCaPath !== undefined },
    (work) => void server.trackWork(work),
  );
  server.addService(definition, implementation);
  const port = await server.start();
  return {
    port,
    shutdown: (graceMs = DEFAULT_SHUTDOWN_GRACE_MS) => server.shutdown(graceMs),
    forceShutdown: () => server.forceShutdown(),
  };
}
