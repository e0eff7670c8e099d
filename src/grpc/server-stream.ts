import type { Writable } from "node:stream";
import type { ErrorStatus } from "./status.js";

/**
 * Helpers for server-side streaming calls (grpc-js ServerWritableStream and ServerDuplexStream are Node
 * Writables whose `emit("error", status)` sets the status sent when the stream ends).
 */

/**
 * Ends a streaming call once its queued messages are flushed: with OK, or with `status`. Safe to call
 * more than once and after the client has gone: only the first call has an effect, so a handler and the
 * server's shutdown can both try.
 */
export function endStream(call: Writable, status?: ErrorStatus): void {
  if (call.writableEnded || call.destroyed) return;
  if (status === undefined) call.end();
  else call.emit("error", status);
}

/**
 * Resolves when a stream whose `write` returned false can take more ('drain'), or when it closes, errors
 * or `signal` aborts, whichever comes first; the caller re-checks which.
 */
export function waitForDrain(call: Writable, signal: AbortSignal): Promise<void> {
  if (signal.aborted || call.destroyed || !call.writableNeedDrain) return Promise.resolve();
  // Plain listeners rather than events.once with signals: this runs every time a write fills the
  // buffer, and a slow client makes that often.
  return new Promise<void>((resolve) => {
    const done = (): void => {
      call.off("drain", done);
      call.off("close", done);
      call.off("error", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    call.on("drain", done);
    call.on("close", done);
    call.on("error", done);
    signal.addEventListener("abort", done);
  });
}
