import { credentials, type ServiceError } from "@grpc/grpc-js";
import { AuthServiceClient, type StreamEvent } from "../../src/gen/auth/auth.js";

/** Test helpers for talking to servers over loopback. */

/** A plain generated client (not the product's resumable one), to test servers on their own. */
export function rawAuthClient(port: number): AuthServiceClient {
  return new AuthServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
}

export interface CallOutcome {
  events: StreamEvent[];
  /** The status the call ended with; undefined for OK. */
  error: ServiceError | undefined;
}

/** Reads a server-streaming call to its end. */
export function readAll(
  call: NodeJS.ReadableStream & { on(event: "status", l: () => void): unknown },
): Promise<CallOutcome> {
  return new Promise((resolve) => {
    const events: StreamEvent[] = [];
    call.on("data", (event: StreamEvent) => events.push(event));
    call.on("error", (error: ServiceError) => resolve({ events, error }));
    call.on("end", () => resolve({ events, error: undefined }));
  });
}

/** Takes `count` items (or all, when undefined) from an async iterable. */
export async function take<T>(iterable: AsyncIterable<T>, count?: number): Promise<T[]> {
  const items: T[] = [];
  if (count === 0) return items;
  for await (const item of iterable) {
    items.push(item);
    if (items.length === count) break;
  }
  return items;
}

/** Polls until `value()` stops changing across several consecutive polls; returns the settled value. */
export async function settled(value: () => number, polls = 10): Promise<number> {
  let last = value();
  let stable = 0;
  while (stable < polls) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = value();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}
