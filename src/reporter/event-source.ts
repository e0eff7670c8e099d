import type { StreamEventsOptions } from "../cursor/stream-events-options.js";
import type { StreamEvent } from "../gen/auth/auth.js";

/**
 * The tenant's audit events as a resumable stream: the reporter's view of the events server. The
 * resumable gRPC client (src/client/events-client.ts, EventsClient) implements it.
 */
export interface EventSource {
  /**
   * Events after `cursor` ("" for the server's start position), each with the cursor just after it, or
   * with `cursors: "checkpoints"` only the checkpoints with a cursor (others "", and a checkpoint may
   * have no event). Returns (does not throw) once `options.signal` aborts; with `untilCaughtUp` it also
   * ends once caught up. Pulls no further ahead than its consumer.
   */
  streamEvents(cursor: string, options?: StreamEventsOptions): AsyncIterable<StreamEvent>;
}
