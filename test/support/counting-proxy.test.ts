import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { startCountingProxy, type CountingProxy } from "./counting-proxy.js";
import { eventually } from "./eventually.js";

const DELAY_MS = 30;

/** A loopback server that answers every chunk with the same bytes. */
async function startEchoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.pipe(socket));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  return { server, port: typeof address === "object" && address !== null ? address.port : 0 };
}

async function connectTo(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await once(socket, "connect");
  return socket;
}

/** Resolves with the time (performance.now) at which `socket` has received `length` bytes, and the bytes. */
function receive(socket: Socket, length: number): Promise<{ text: string; at: number }> {
  return new Promise((resolve) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.length >= length) {
        socket.off("data", onData);
        resolve({ text, at: performance.now() });
      }
    };
    socket.on("data", onData);
  });
}

describe("the counting relay", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function relayToEcho(options: { delayMs?: number }): Promise<CountingProxy> {
    const echo = await startEchoServer();
    cleanups.push(() => new Promise<void>((resolve) => echo.server.close(() => resolve())));
    const proxy = await startCountingProxy(echo.port, options);
    cleanups.push(() => proxy.close());
    return proxy;
  }

  async function client(port: number): Promise<Socket> {
    const socket = await connectTo(port);
    cleanups.push(() => void socket.destroy());
    return socket;
  }

  it("without a delay forwards both ways and counts the bytes coming back", async () => {
    const proxy = await relayToEcho({});
    const socket = await client(proxy.port);
    const received = receive(socket, 5);
    socket.write("hello");
    expect((await received).text).toBe("hello");
    expect(proxy.downstreamBytes()).toBe(5);
    proxy.reset();
    expect(proxy.downstreamBytes()).toBe(0);
  });

  it("holds each direction for the delay: a round trip takes at least twice it", async () => {
    const proxy = await relayToEcho({ delayMs: DELAY_MS });
    const socket = await client(proxy.port);
    for (let round = 0; round < 3; round++) {
      const received = receive(socket, 4);
      const sent = performance.now();
      socket.write(`pin${round}`);
      const { text, at } = await received;
      expect(text).toBe(`pin${round}`);
      expect(at - sent).toBeGreaterThanOrEqual(2 * DELAY_MS);
    }
    expect(proxy.downstreamBytes()).toBe(12);
  });

  it("keeps the order of chunks sent faster than the delay, and of chunks spread across it", async () => {
    const proxy = await relayToEcho({ delayMs: DELAY_MS });
    const socket = await client(proxy.port);
    const chunks = Array.from({ length: 60 }, (_, i) => `<${i}>`);
    const expected = chunks.join("");
    const received = receive(socket, expected.length);
    for (const [i, chunk] of chunks.entries()) {
      socket.write(chunk);
      // Bursts with pauses of about half the delay: some chunks share a release, others do not.
      if (i % 10 === 9) await sleep(DELAY_MS / 2);
    }
    expect((await received).text).toBe(expected);
    expect(proxy.downstreamBytes()).toBe(expected.length);
  });

  it("delays each connection on its own, every one keeping its order", async () => {
    const proxy = await relayToEcho({ delayMs: DELAY_MS });
    const sockets = await Promise.all([client(proxy.port), client(proxy.port), client(proxy.port)]);
    const expected = sockets.map((_, s) => Array.from({ length: 20 }, (_, i) => `[${s}:${i}]`).join(""));
    const received = sockets.map((socket, s) => receive(socket, expected[s]!.length));
    const sent = performance.now();
    for (let i = 0; i < 20; i++) {
      for (const [s, socket] of sockets.entries()) socket.write(`[${s}:${i}]`);
      await sleep(2);
    }
    const results = await Promise.all(received);
    expect(results.map((r) => r.text)).toEqual(expected);
    for (const { at } of results) expect(at - sent).toBeGreaterThanOrEqual(2 * DELAY_MS);
  });

  it("forwards the end after the data held before it", async () => {
    const ended: string[] = [];
    const sink = createServer((socket) => {
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("end", () => {
        ended.push(text);
        socket.end();
      });
    });
    sink.listen(0, "127.0.0.1");
    await once(sink, "listening");
    cleanups.push(() => new Promise<void>((resolve) => sink.close(() => resolve())));
    const address = sink.address();
    const proxy = await startCountingProxy(
      typeof address === "object" && address !== null ? address.port : 0,
      {
        delayMs: DELAY_MS,
      },
    );
    cleanups.push(() => proxy.close());
    const socket = await client(proxy.port);
    socket.resume();
    socket.write("first ");
    socket.end("last");
    await eventually(() => ended.length > 0, "the server sees the end");
    expect(ended).toEqual(["first last"]);
  });
});
