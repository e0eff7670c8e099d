import type { CursorMode } from "./cursor-mode.js";

/**
 * How a stream of audit events is asked for: the one options shape of `streamEvents` at the audit log
 * (src/auditlog), the events client (src/client) and the reporter's event source (src/reporter), so a
 * stream's request reads the same at every hop of the data path.
 */
export interface StreamEventsOptions {
  /**
   * Ends the stream: the iterable returns (it does not throw). Default none: a following stream then
   * ends only when its consumer stops iterating, which it can do only between events, so give a signal
   * to a stream that may wait on the log.
   */
  signal?: AbortSignal;
  /**
   * End once everything the log held when the stream started has been delivered (for the events client:
   * after a reconnection, what it held at the reconnection). Default false: follow the log until
   * `signal` aborts.
   */
  untilCaughtUp?: boolean;
  /** Which events carry their cursor (see CursorMode). Default "every-event". */
  cursors?: CursorMode;
}

/** The signal of a stream asked for without one: it never aborts. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;
