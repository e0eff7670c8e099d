import { connect, createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

/**
 * A loopback TCP relay that counts the bytes the server sends back (what a stream costs on the wire) and
 * can add latency, as a network between a service and its clients would.
 */
export interface CountingProxy {
  readonly port: number;
  /** Bytes from the server to clients since the proxy started or `reset`. */
  downstreamBytes(): number;
  reset(): void;
  close(): Promise<void>;
}

export interface CountingProxyOptions {
  /**
   * How long each chunk is held before it is forwarded, in either direction (one way: a request and its
   * answer cost about twice this). Order is kept per direction; each connection has its own timers, so
   * one connection's traffic never waits for another's. Default 0: forwarded as it arrives.
   */
  delayMs?: number;
}

export async function startCountingProxy(
  targetPort: number,
  options: CountingProxyOptions = {},
): Promise<CountingProxy> {
  const delayMs = options.delayMs ?? 0;
  let downstream = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      // As grpc-js does on its own sockets; with Nagle on, delayed ACKs stall the relay.
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on("data", (chunk: Buffer) => (downstream += chunk.length));
    if (delayMs > 0) {
      forwardDelayed(client, upstream, delayMs);
      forwardDelayed(upstream, client, delayMs);
    } else {
      client.pipe(upstream);
      upstream.pipe(client);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    downstreamBytes: () => downstream,
    reset: () => void (downstream = 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Forwards what `from` sends to `to`, each chunk (and the end) `delayMs` after it arrived, in arrival
 * order. Arrival times only grow, so one timer for the oldest held chunk serves the whole queue. When
 * `to` cannot keep up, `from` is paused as `pipe` would, so the queue holds at most a delay's worth.
 */
function forwardDelayed(from: Socket, to: Socket, delayMs: number): void {
  const held: { chunk: Buffer | "end"; due: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let waitingForDrain = false;
  const release = () => {
    timer = undefined;
    const now = performance.now();
    // A timer may fire a little before its time by this clock: release nothing early.
    while (held[0] !== undefined && held[0].due <= now) {
      const { chunk } = held.shift()!;
      if (to.destroyed) return;
      if (chunk === "end") {
        to.end();
        return;
      }
      if (!to.write(chunk) && !waitingForDrain) {
        waitingForDrain = true;
        from.pause();
        to.once("drain", () => {
          waitingForDrain = false;
          from.resume();
        });
      }
    }
    if (held[0] !== undefined) timer = setTimeout(release, held[0].due - now);
  };
  const hold = (chunk: Buffer | "end") => {
    held.push({ chunk, due: performance.now() + delayMs });
    timer ??= setTimeout(release, delayMs);
  };
  from.on("data", (chunk: Buffer) => hold(chunk));
  from.on("end", () => hold("end"));
  to.on("close", () => {
    clearTimeout(timer);
    held.length = 0;
  });
}
