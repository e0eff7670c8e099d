import type { AuditLog } from "../auditlog/audit-log.js";
import { singleBearerToken } from "../grpc/bearer-auth.js";
import { DEFAULT_SHUTDOWN_GRACE_MS, GrpcServer } from "../grpc/grpc-server.js";
import type { ServerTlsOptions } from "../grpc/tls.js";
import type { Logger } from "../observability/logger.js";
import type { Registry } from "../observability/metrics.js";
import { createAuthService } from "./auth-service.js";
import { DEFAULT_EVENTS_LISTEN, DEFAULT_MAX_STREAMS } from "./events-server-defaults.js";
import { AUTH_SERVICE_DEFINITION, TELEPORT_AUTH_SERVICE_DEFINITION } from "./stream-event-serializer.js";

export interface EventsServerOptions {
  /** "HOST:PORT" or "[IPv6]:PORT". Default DEFAULT_EVENTS_LISTEN; port 0 picks a free port. */
  listen?: string;
  /** Concurrent streams before RESOURCE_EXHAUSTED. Default DEFAULT_MAX_STREAMS (64). */
  maxStreams?: number;
  /** Bearer token callers must present. Default none (allowed on loopback only). */
  token?: string;
  /** Default none: plaintext, loopback only. With `clientCaPath`, client certificates also authenticate. */
  tls?: ServerTlsOptions;
  /** Default silentLogger. */
  logger?: Logger;
  /** Prometheus registry for the stream and connection metrics. Default: a private one. */
  registry?: Registry;
  /** Open connections at most. Default DEFAULT_MAX_CONNECTIONS (1 024). */
  maxConnections?: number;
  /** Time a new connection has to start its first call. Default DEFAULT_HANDSHAKE_TIMEOUT_MS (10 s). */
  handshakeTimeoutMs?: number;
}

export { DEFAULT_EVENTS_LISTEN };

/** A running events server. The audit log stays the caller's to close after `shutdown`. */
export interface EventsServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /**
   * Graceful: health NOT_SERVING, stop accepting, end open streams with UNAVAILABLE, wait up to `graceMs`
   * (default 10 s) for them to finish, then force.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Drops every connection at once, as a crash would. */
  forceShutdown(): void;
}

/**
 * Starts AuthService (with health and reflection) over `auditLog`, as `auth.AuthService` and under
 * Teleport's own name `proto.AuthService`.
 * @throws InvalidArgumentError for a bad or disallowed listen address, a bad token or unreadable TLS files
 * @throws FailedPreconditionError when the address cannot be bound
 */
export async function startEventsServer(
  auditLog: AuditLog,
  options: EventsServerOptions = {},
): Promise<EventsServer> {
  const authenticator = options.token === undefined ? undefined : singleBearerToken(options.token);
  const server = new GrpcServer({
    listen: options.listen ?? DEFAULT_EVENTS_LISTEN,
    tls: options.tls,
    authenticated: authenticator !== undefined || options.tls?.clientCaPath !== undefined,
    logger: options.logger,
    registry: options.registry,
    maxConnections: options.maxConnections,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
  });
  // One implementation (and one stream bound) behind both names of the method.
  const service = createAuthService(auditLog, {
    maxStreams: options.maxStreams ?? DEFAULT_MAX_STREAMS,
    authenticator,
    shutdownSignal: server.shutdownSignal,
    trackWork: (work) => void server.trackWork(work),
    logger: options.logger,
    registry: options.registry,
  });
  server.addService(AUTH_SERVICE_DEFINITION, service);
  server.addService(TELEPORT_AUTH_SERVICE_DEFINITION, service);
  const port = await server.start();
  return {
    port,
    shutdown: (graceMs = DEFAULT_SHUTDOWN_GRACE_MS) => server.shutdown(graceMs),
    forceShutdown: () => server.forceShutdown(),
  };
}
