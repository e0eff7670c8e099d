import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { writeLines } from "../../src/generate/write-lines.js";

/** A writable that holds every chunk until released, so the writer sees a stalled reader. */
class StalledWritable extends Writable {
  readonly chunks: string[] = [];
  private readonly pending: (() => void)[] = [];

  constructor(highWaterMark: number) {
    super({ highWaterMark, decodeStrings: false });
  }

  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    this.pending.push(() => callback());
  }

  release(): void {
    for (const done of this.pending.splice(0)) done();
  }
}

function* numbered(count: number, onYield?: (i: number) => void): Generator<string> {
  for (let i = 0; i < count; i += 1) {
    onYield?.(i);
    yield `line ${i}`;
  }
}

const flushMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("writeLines", () => {
  it("writes every line with a newline, in order, and counts them", async () => {
    const out = new PassThrough();
    const received: Buffer[] = [];
    out.on("data", (chunk: Buffer) => received.push(chunk));
    const count = await writeLines(numbered(5000), out, { chunkSize: 100 });
    expect(count).toBe(5000);
    const text = Buffer.concat(received).toString("utf8");
    expect(text).toBe([...numbered(5000)].map((l) => `${l}\n`).join(""));
  });

  it("stops pulling lines while the reader is stalled, and resumes when it drains", async () => {
    const out = new StalledWritable(1024);
    let pulled = 0;
    const done = writeLines(
      numbered(10_000, (i) => (pulled = i + 1)),
      out,
      { chunkSize: 512 },
    );
    for (let i = 0; i < 20; i += 1) await flushMicrotasks();
    // Two chunks fill the buffer; the writer then waits instead of generating more.
    const stalledAt = pulled;
    expect(stalledAt).toBeLessThan(500);
    for (let i = 0; i < 20; i += 1) await flushMicrotasks();
    expect(pulled).toBe(stalledAt);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      out.release();
      await flushMicrotasks();
    }
    expect(await done).toBe(10_000);
    expect(out.chunks.join("").split("\n")).toHaveLength(10_001);
  });

  it("stops at a chunk boundary when aborted", async () => {
    const out = new StalledWritable(64);
    const controller = new AbortController();
    const done = writeLines(numbered(10_000), out, { chunkSize: 64, signal: controller.signal });
    await flushMicrotasks();
    controller.abort(new Error("stop"));
    await expect(done).rejects.toThrow("stop");
    expect(out.chunks.join("").endsWith("\n")).toBe(true);
  });

  it("rejects with the stream's error", async () => {
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    await expect(writeLines(numbered(100_000), out, { chunkSize: 64 })).rejects.toThrow("EPIPE");
  });

  it("rejects when the stream closes before draining", async () => {
    const out = new StalledWritable(16);
    const done = writeLines(numbered(1000), out, { chunkSize: 64 });
    await flushMicrotasks();
    out.destroy();
    await expect(done).rejects.toThrow(/closed|destroyed/);
  });

  it("writes nothing for no lines", async () => {
    const out = new PassThrough();
    expect(await writeLines([], out)).toBe(0);
    expect(out.read()).toBeNull();
  });
});
