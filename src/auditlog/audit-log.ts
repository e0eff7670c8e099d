import type { StreamEvent } from "../gen/auth/auth.js";
import type { Cursor } from "../cursor/cursor.js";
import type { StreamEventsOptions } from "../cursor/stream-events-options.js";

/** Where a stream starts on shards the cursor does not name, at a fresh start. */
export type StartPosition = "trim_horizon" | "latest";

/**
 * A tenant's audit log as an ordered, resumable stream.
 *
 * Implementations: src/auditlog/file (Teleport's file log, the embedded default) and
 * src/auditlog/dynamo (DynamoDB Streams on Teleport's events table).
 */
export interface AuditLog {
  /**
   * Streams events after `cursor`, each with the encoded cursor positioned just after it; resuming with
   * that cursor yields exactly the events not yet delivered. The iterable follows the log (it does not
   * end when it catches up) until `options.signal` aborts, then it returns; with `untilCaughtUp` it ends
   * once it has delivered every event the log held when the call started. It reads no further ahead than its
   * consumer pulls, so a slow consumer slows reading.
   *
   * @throws InvalidArgumentError when the cursor names shards this log does not have
   * @throws DataLossError when the cursor points at data that has been trimmed
   * @throws FailedPreconditionError when the log cannot be streamed at all
   */
  streamEvents(cursor: Cursor, options?: StreamEventsOptions): AsyncIterable<StreamEvent>;

  /**
   * Checks once, at start-up, what would make every stream fail (a missing table, no stream, no
   * permission, no region or credentials), so a server can refuse to start instead of saying SERVING.
   * Optional: a log with nothing to check omits it.
   * @throws FailedPreconditionError or NotFoundError for such a problem; UnavailableError when the
   *   backing service cannot be reached right now (worth retrying, not a reason to stop)
   */
  verify?(): Promise<void>;

  /** Releases resources (file handles, clients). */
  close(): Promise<void>;
}
