import type { Socket } from "node:net";
import { counter, gauge, type Registry } from "../observability/metrics.js";
import type { Logger } from "../observability/logger.js";

export interface ConnectionGuardOptions {
  /** Open connections at most; one more is closed at once. */
  maxConnections: number;
  /**
   * Time a new connection has to complete its handshake (TLS when configured, HTTP/2) and start its
   * first call; a connection that has not is closed.
   */
  handshakeTimeoutMs: number;
  /** Labels the metrics: the server's main service, e.g. "auth.AuthService". */
  server: string;
  registry: Registry;
  logger: Logger;
}

/**
 * Guards a server's listener: bounds the open connections and closes those that never get as far as a
 * call (a raw TCP socket, a stalled TLS or HTTP/2 handshake, a channel that connects and never calls),
 * which grpc-js would otherwise keep open for as long as the peer likes. After its first call, a
 * connection is grpc-js's (keepalive pings, closed after five idle minutes).
 */
export class ConnectionGuard {
  readonly #open = new Map<string, { socket: Socket; timer: NodeJS.Timeout | undefined }>();
  readonly #metrics;
  readonly #waiting: (() => void)[] = [];

  constructor(
    private readonly options: ConnectionGuardOptions,
    private readonly hand: (socket: Socket) => void,
  ) {
    this.#metrics = {
      open: gauge(options.registry, {
        name: "tenant_events_grpc_connections",
        help: "Open connections of a gRPC server",
        labelNames: ["server"],
      }),
      refused: counter(options.registry, {
        name: "tenant_events_grpc_connections_refused_total",
        help: "Connections closed at once because the server had its maximum open",
        labelNames: ["server"],
      }),
      timedOut: counter(options.registry, {
        name: "tenant_events_grpc_connections_handshake_timeouts_total",
        help: "Connections closed because they started no call within the handshake timeout",
        labelNames: ["server"],
      }),
    };
    this.#metrics.open.set({ server: options.server }, 0);
  }

  get openConnections(): number {
    return this.#open.size;
  }

  /** Takes a socket the listener accepted: refuses it over the bound, or hands it on under a timer. */
  accept(socket: Socket): void {
    const labels = { server: this.options.server };
    if (this.#open.size >= this.options.maxConnections) {
      this.#metrics.refused.inc(labels);
      this.options.logger.debug({ max: this.options.maxConnections }, "connection refused: too many open");
      socket.destroy();
      return;
    }
    const key = connectionKey(socket.remoteAddress, socket.remotePort);
    const timer = setTimeout(() => {
      this.#metrics.timedOut.inc(labels);
      this.options.logger.debug(
        { timeoutMs: this.options.handshakeTimeoutMs },
        "connection closed: no call within the handshake timeout",
      );
      close(socket);
    }, this.options.handshakeTimeoutMs);
    timer.unref();
    this.#open.set(key, { socket, timer });
    this.#metrics.open.set(labels, this.#open.size);
    socket.once("close", () => {
      clearTimeout(timer);
      if (this.#open.get(key)?.socket === socket) this.#open.delete(key);
      this.#metrics.open.set(labels, this.#open.size);
      if (this.#open.size === 0) for (const resolve of this.#waiting.splice(0)) resolve();
    });
    socket.on("error", () => undefined);
    this.hand(socket);
  }

  /** A call arrived over the connection from this peer: its handshake is done. */
  callStarted(remoteAddress: string | undefined, remotePort: number | undefined): void {
    const entry = this.#open.get(connectionKey(remoteAddress, remotePort));
    if (entry?.timer === undefined) return;
    clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  /**
   * Resolves once every connection it accepted has closed. Graceful shutdown waits for this and not only
   * for grpc-js's `tryShutdown`: on newer Node versions `Http2Server.close()` itself marks every session
   * closing, so grpc-js, seeing the session already closed, reports an injected connection done while its
   * calls are still running.
   */
  allClosed(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Closes the connections that have started no call: at shutdown they have nothing to finish. */
  closeIdle(): void {
    for (const { socket, timer } of this.#open.values()) if (timer !== undefined) close(socket);
  }

  /** Drops every open connection, as a crash would. */
  destroyAll(): void {
    for (const { socket } of this.#open.values()) close(socket);
  }
}

/**
 * Closes a socket grpc-js's HTTP/2 session may already hold: once the session has taken the socket's
 * handle, `destroy` leaves the connection open, a reset closes it.
 */
function close(socket: Socket): void {
  socket.resetAndDestroy();
}

function connectionKey(address: string | undefined, port: number | undefined): string {
  return `${address ?? ""}|${port ?? ""}`;
}
