import { connect, createServer, type Server, type Socket } from "node:net";

/** A loopback TCP relay that counts the bytes the server sends back: what a stream costs on the wire. */
export interface CountingProxy {
  readonly port: number;
  /** Bytes from the server to clients since the proxy started or `reset`. */
  downstreamBytes(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
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
    client.pipe(upstream);
    upstream.pipe(client);
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
