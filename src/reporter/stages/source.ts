import type { StreamEvent } from "../../gen/auth/auth.js";
import { eventTime } from "../../events/metadata.js";
import type { EventSource } from "../event-source.js";
import type { StreamLag } from "../stream-lag.js";

export interface SourceStageOptions {
  source: EventSource;
  /** Where to resume ("" for the server's start position). */
  cursor: string;
  /** Ends the stream (the source returns). */
  signal: AbortSignal;
  untilCaughtUp: boolean;
  /** Told when the reporter waits on the stream and the time of each event received. */
  lag: StreamLag;
  /** Told of the stream's failure before it is passed on, so the stages after it can start stopping. */
  onFailure: (error: unknown) => void;
}

/**
 * The audit event stream in checkpoints mode (only checkpoints carry a cursor, and a checkpoint may have
 * no event): the reporter saves no position it would not resume from.
 */
export async function* sourceEvents(options: SourceStageOptions): AsyncGenerator<StreamEvent> {
  const { lag } = options;
  const events = options.source.streamEvents(options.cursor, {
    signal: options.signal,
    untilCaughtUp: options.untilCaughtUp,
    cursors: "checkpoints",
  });
  lag.waiting();
  try {
    for await (const streamEvent of events) {
      lag.received(streamEvent.event === undefined ? undefined : eventTime(streamEvent.event)?.getTime());
      yield streamEvent;
      lag.waiting();
    }
  } catch (err) {
    lag.received();
    options.onFailure(err);
    throw err;
  }
}
