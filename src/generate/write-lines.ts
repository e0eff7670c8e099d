import type { Writable } from "node:stream";

/** Options for `writeLines`; defaults in brackets. */
export interface WriteLinesOptions {
  /** Stops between chunks when aborted; the lines written so far are complete. */
  signal?: AbortSignal;
  /** Lines are joined into chunks of about this many characters before writing [65536]. */
  chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 65_536;

/**
 * Writes lines (each followed by "\n") to a stream, in chunks, waiting for "drain" whenever the stream
 * asks to (backpressure), so a slow reader slows generation and memory stays bounded. Resolves to the
 * number of lines written; rejects with the stream's error, or the abort reason.
 */
export async function writeLines(
  lines: Iterable<string>,
  out: Writable,
  options: WriteLinesOptions = {},
): Promise<number> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const signal = options.signal;
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure ??= error;
  };
  out.on("error", onError);
  let count = 0;
  try {
    let chunk: string[] = [];
    let length = 0;
    const check = (): void => {
      if (failure !== undefined) throw failure;
    };
    const flush = async (): Promise<void> => {
      check();
      signal?.throwIfAborted();
      const ready = out.write(chunk.join(""));
      count += chunk.length;
      chunk = [];
      length = 0;
      if (!ready) await drained(out, signal);
      check();
    };
    for (const line of lines) {
      chunk.push(`${line}\n`);
      length += line.length + 1;
      if (length >= chunkSize) await flush();
    }
    if (chunk.length > 0) await flush();
    return count;
  } finally {
    out.off("error", onError);
  }
}

/** Resolves on "drain"; rejects on an error, on the stream closing first, or on abort. */
function drained(out: Writable, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      out.off("drain", onDrain);
      out.off("error", onError);
      out.off("close", onClose);
      signal?.removeEventListener("abort", onAbort);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error("the output closed before all lines were written"));
    };
    const onAbort = (): void => {
      cleanup();
      const reason: unknown = signal?.reason;
      reject(reason instanceof Error ? reason : new Error("aborted"));
    };
    out.on("drain", onDrain);
    out.on("error", onError);
    out.on("close", onClose);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
