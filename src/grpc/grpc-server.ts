import {
  Server,
  ServerInterceptingCall,
  status as Status,
  type ChannelOptions,
  type ServiceDefinition,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { lookup } from "node:dns/promises";
import { createServer, type AddressInfo, type Server as NetServer } from "node:net";
import type { Writable } from "node:stream";
import { FailedPreconditionError, InvalidArgumentError } from "../errors/errors.js";
import { silentLogger, type Logger } from "../observability/logger.js";
import { newRegistry, type Registry } from "../observability/metrics.js";
import { ConnectionGuard } from "./connection-guard.js";
import { assertListenAllowed, formatListenAddress, parseListenAddress } from "./listen-address.js";
import { addReflection } from "./reflection.js";
import { RpcMetrics, serverRpcMetrics } from "./rpc-metrics.js";
import { endStream } from "./server-stream.js";
import { sendableStatusInterceptor } from "./status-interceptor.js";
import { serverCredentials, type ServerTlsOptions } from "./tls.js";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS } from "./server-limits.js";

/** The status open streams end with when the server shuts down: clients reconnect and resume. */
export const SHUTDOWN_STATUS = {
  code: Status.UNAVAILABLE,
  details: "server shutting down; resume from your last cursor",
} as const;

export interface GrpcServerOptions {
  /** "HOST:PORT" or "[IPv6]:PORT"; port 0 picks a free port. */
  listen: string;
  /** TLS material; default none (plaintext, allowed on loopback only). */
  tls?: ServerTlsOptions;
  /** Whether the services authenticate callers; with TLS, required to listen beyond loopback. */
  authenticated: boolean;
  /** Default silentLogger. */
  logger?: Logger;
  /**
   * Where per-RPC metrics (`grpc_server_*`, see rpc-metrics.ts) and connection metrics
   * (`tenant_events_grpc_connections*`) go; default none recorded.
   */
  registry?: Registry;
  /**
   * Extra grpc-js server options; they override the connection defaults (60 s ping, 20 s timeout, idle
   * connections closed after 5 minutes).
   */
  channelOptions?: ChannelOptions;
  /** Open connections at most; more are closed at once. Default DEFAULT_MAX_CONNECTIONS (1 024). */
  maxConnections?: number;
  /**
   * Time a new connection has to complete its TLS and HTTP/2 handshake and start its first call.
   * Default DEFAULT_HANDSHAKE_TIMEOUT_MS (10 s).
   */
  handshakeTimeoutMs?: number;
}

export { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS };

/**
 * Pings idle connections so a client that vanished without closing its connection (a dead host, a
 * dropped NAT entry) releases its stream slot within about a minute and a half, and closes connections
 * that carry no call for five minutes (clients reconnect on their next call), so idle connections do not
 * pile up.
 */
const SERVER_KEEPALIVE: ChannelOptions = {
  "grpc.keepalive_time_ms": 60_000,
  "grpc.keepalive_timeout_ms": 20_000,
  "grpc.max_connection_idle_ms": 5 * 60_000,
};

/** Default grace period of `shutdown`: long enough for a unary write to a sink to finish. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/**
 * A grpc-js server with what every server of the product needs: the loopback-only rule, optional TLS,
 * health checking (`grpc.health.v1`, per service and overall as ""), reflection, graceful shutdown,
 * statuses that can always be sent (every call gets an answer, see status-interceptor.ts), and a guarded
 * listener (a connection cap and a handshake timeout, see connection-guard.ts).
 *
 * Streaming handlers registered through `addService` are tracked so shutdown can end them with
 * UNAVAILABLE; handlers watch `shutdownSignal` to stop producing (e.g. abort an audit log read).
 */
export class GrpcServer {
  private readonly server: Server;
  private readonly health = new HealthImplementation({ "": "NOT_SERVING" });
  private readonly serviceNames: string[] = [];
  /** Every service served, health and reflection included: what reflection lists. */
  private readonly servedNames: string[] = [];
  private readonly openStreams = new Set<Writable>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdownController = new AbortController();
  private readonly logger: Logger;
  private readonly rpcMetrics: RpcMetrics | undefined;
  private readonly listeners: NetServer[] = [];
  private guard: ConnectionGuard | undefined;
  private boundPort: number | undefined;
  private stopping: Promise<void> | undefined;

  /** @throws InvalidArgumentError for a connection bound or handshake timeout out of range */
  constructor(private readonly options: GrpcServerOptions) {
    const { maxConnections, handshakeTimeoutMs } = options;
    if (maxConnections !== undefined && !(Number.isSafeInteger(maxConnections) && maxConnections > 0)) {
      throw new InvalidArgumentError(`maxConnections must be a positive whole number, got ${maxConnections}`);
    }
    if (handshakeTimeoutMs !== undefined && !(handshakeTimeoutMs > 0 && handshakeTimeoutMs < 2 ** 31)) {
      throw new InvalidArgumentError(
        `handshakeTimeoutMs must be above 0 and below 2^31, got ${handshakeTimeoutMs}`,
      );
    }
    this.logger = options.logger ?? silentLogger;
    this.rpcMetrics = options.registry && new RpcMetrics(options.registry, "server");
    this.server = new Server({
      ...SERVER_KEEPALIVE,
      ...options.channelOptions,
      interceptors: [
        ...(this.rpcMetrics ? [serverRpcMetrics(this.rpcMetrics)] : []),
        (_method, call) => {
          const info = call.getConnectionInfo();
          this.guard?.callStarted(info.remoteAddress, info.remotePort);
          return new ServerInterceptingCall(call);
        },
        sendableStatusInterceptor(this.logger),
      ],
    });
    const registrar = { addService: this.addService.bind(this) };
    this.health.addToServer(registrar);
    addReflection(registrar, () => this.servedNames);
  }

  /** Aborted when shutdown begins: streaming handlers stop producing and return. */
  get shutdownSignal(): AbortSignal {
    return this.shutdownController.signal;
  }

  /** The bound port; only after `start`. */
  get port(): number {
    if (this.boundPort === undefined) throw new Error("GrpcServer.port read before start()");
    return this.boundPort;
  }

  /**
   * Registers a service. Its health status is NOT_SERVING until `start` and again once shutdown begins;
   * `setServing` changes it in between (e.g. while a dependency is down).
   */
  addService<Impl extends UntypedServiceImplementation>(
    definition: ServiceDefinition<Impl>,
    implementation: Impl,
  ): void {
    const name = serviceName(definition);
    if (name !== undefined && !this.servedNames.includes(name)) this.servedNames.push(name);
    if (name !== undefined && !name.startsWith("grpc.")) {
      this.serviceNames.push(name);
      this.health.setStatus(name, "NOT_SERVING");
    }
    const tracked: UntypedServiceImplementation = {};
    for (const [key, method] of Object.entries(definition)) {
      const handler = (implementation[key] ?? implementation[method.originalName ?? ""]) as
        UntypedHandleCall | undefined;
      if (handler === undefined) continue;
      this.rpcMetrics?.initialize(method);
      tracked[key] = method.responseStream ? this.trackStreams(handler) : handler;
    }
    this.server.addService(definition, tracked);
  }

  /**
   * Counts `work` (a handler's asynchronous tail, e.g. closing an audit log read) as in flight: graceful
   * shutdown waits for it within its grace period. Returns `work`.
   */
  trackWork<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return work;
  }

  /** Sets one service's health status (or the overall status, service ""). */
  setServing(service: string, serving: boolean): void {
    if (this.stopping !== undefined) return;
    this.health.setStatus(service, serving ? "SERVING" : "NOT_SERVING");
  }

  /**
   * Checks the listen rule, binds and marks every service SERVING. Returns the bound port.
   * @throws InvalidArgumentError for a bad or disallowed address or unreadable TLS files
   * @throws FailedPreconditionError when the address cannot be bound (e.g. in use)
   */
  async start(): Promise<number> {
    const address = parseListenAddress(this.options.listen);
    assertListenAllowed(address, {
      tls: this.options.tls !== undefined,
      authenticated: this.options.authenticated,
    });
    const credentials = await serverCredentials(this.options.tls);
    const target = formatListenAddress(address);
    // Sockets come from listeners of our own, so the guard sees each one before grpc-js does.
    const injector = this.server.createConnectionInjector(credentials);
    const guard = new ConnectionGuard(
      {
        maxConnections: this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
        handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
        server: this.serviceNames[0] ?? "grpc",
        registry: this.options.registry ?? newRegistry(),
        logger: this.logger,
      },
      (socket) => injector.injectConnection(socket),
    );
    this.guard = guard;
    try {
      // A host name listens on every address it resolves to, on one port, as grpc-js's own bind does.
      const hosts = await lookup(address.host, { all: true });
      let port = address.port;
      for (const { address: host } of hosts) {
        const listener = createServer((socket) => guard.accept(socket));
        this.listeners.push(listener);
        await new Promise<void>((resolve, reject) => {
          listener.once("error", reject);
          listener.listen(port, host, () => {
            listener.off("error", reject);
            resolve();
          });
        });
        port = (listener.address() as AddressInfo).port;
      }
      this.boundPort = port;
    } catch (err) {
      this.closeListeners();
      injector.destroy();
      const message = err instanceof Error ? err.message : String(err);
      throw new FailedPreconditionError(`cannot listen on ${target}: ${message}`, { cause: err });
    }
    for (const name of ["", ...this.serviceNames]) this.health.setStatus(name, "SERVING");
    this.logger.info(
      {
        address: formatListenAddress({ host: address.host, port: this.boundPort }),
        tls: this.options.tls !== undefined,
      },
      "gRPC server listening",
    );
    return this.boundPort;
  }

  /**
   * Graceful shutdown: marks health NOT_SERVING, stops accepting connections and calls, closes the
   * connections that have started no call, ends open streams with UNAVAILABLE ("resume from your last
   * cursor"), waits up to `graceMs` for in-flight calls and for every connection to close, then forces the
   * rest closed. Idempotent.
   */
  shutdown(graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
    this.stopping ??= this.drain(graceMs);
    return this.stopping;
  }

  /** Drops every connection at once, as a crash would: no statuses are sent. */
  forceShutdown(): void {
    this.stopping ??= Promise.resolve();
    this.shutdownController.abort();
    this.closeListeners();
    this.server.forceShutdown();
    this.guard?.destroyAll();
  }

  private closeListeners(): void {
    for (const listener of this.listeners.splice(0)) listener.close();
  }

  private async drain(graceMs: number): Promise<void> {
    for (const name of ["", ...this.serviceNames]) this.health.setStatus(name, "NOT_SERVING");
    this.closeListeners();
    const closed = Promise.all([
      new Promise<void>((resolve) => this.server.tryShutdown(() => resolve())),
      this.guard?.allClosed(),
    ]);
    this.guard?.closeIdle();
    this.shutdownController.abort();
    for (const call of this.openStreams) endStream(call, SHUTDOWN_STATUS);
    const finished = Promise.all([closed, ...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">(
      (resolve) => (timer = setTimeout(() => resolve("expired"), graceMs)),
    );
    const outcome = await Promise.race([finished, expired]);
    clearTimeout(timer);
    if (outcome === "expired") {
      this.logger.warn(
        { graceMs, openStreams: this.openStreams.size, inFlight: this.inFlight.size },
        "grace period over: forcing shutdown",
      );
      this.server.forceShutdown();
      this.guard?.destroyAll();
    }
    this.logger.info("gRPC server stopped");
  }

  private trackStreams(handler: UntypedHandleCall): UntypedHandleCall {
    return ((call: Writable) => {
      if (this.shutdownSignal.aborted) {
        endStream(call, SHUTDOWN_STATUS);
        return;
      }
      this.openStreams.add(call);
      const forget = () => this.openStreams.delete(call);
      call.once("close", forget);
      call.once("finish", forget);
      call.once("cancelled", forget);
      (handler as (call: Writable) => void)(call);
    }) as UntypedHandleCall;
  }
}

/** "auth.AuthService" from a definition's method paths ("/auth.AuthService/StreamEvents"). */
function serviceName(definition: ServiceDefinition): string | undefined {
  const first = Object.values(definition)[0];
  return first?.path.split("/")[1];
}
