/**
 * How far behind the audit log the reporter is, for `tenant_events_reporter_stream_lag_seconds`.
 *
 * While events arrive, the lag is now minus the time of the last event read, measured when scraped, so
 * it keeps growing while the reporter is stuck behind a backlog. A quiet log is not a backlog: once the
 * reporter has waited on the stream for `idleAfter` with nothing in hand, nothing is waiting to be read
 * and the lag is 0. The wait must outlast how long the events server may hold events before sending
 * them (a checkpoint at most every second, a DynamoDB sweep over many shards), hence a few seconds.
 */
export class StreamLag {
  #lastEventTime: number | undefined;
  #waitingSince: number | undefined;

  constructor(
    private readonly clock: () => number,
    private readonly idleAfter: number = STREAM_LAG_IDLE_AFTER_MS,
  ) {}

  /** The reporter asked the stream for its next message. */
  waiting(): void {
    this.#waitingSince ??= this.clock();
  }

  /** A message arrived; `eventTime` (ms since the epoch) when it carried a dated event. */
  received(eventTime?: number): void {
    this.#waitingSince = undefined;
    if (eventTime !== undefined) this.#lastEventTime = eventTime;
  }

  /** The lag in seconds: 0 before the first event and once idle; never negative (clock skew). */
  seconds(): number {
    const now = this.clock();
    if (this.#lastEventTime === undefined) return 0;
    if (this.#waitingSince !== undefined && now - this.#waitingSince >= this.idleAfter) return 0;
    return Math.max(0, now - this.#lastEventTime) / 1000;
  }
}

/** How long a wait on the stream with nothing in hand means the reporter has caught up. */
export const STREAM_LAG_IDLE_AFTER_MS = 5_000;
