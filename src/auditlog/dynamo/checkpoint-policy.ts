/**
 * In "checkpoints" mode, events between checkpoints per cursor entry: an entry (a shard id of about 40
 * characters, a sequence number of 21 to 40 digits) is at most about 90 bytes and an event over 100, so
 * the cursor adds about a tenth at most to what goes on the wire.
 */
export const CHECKPOINT_EVENTS_PER_SHARD = 8;
/** ... or the time between checkpoints while the stream keeps reading, ms. */
export const CHECKPOINT_INTERVAL_MS = 1000;

/**
 * When a "checkpoints" stream sends its cursor, decided from what the stream reports (events sent, the
 * cursor's version and size, the time): at a page's end once enough events have gone since the last
 * checkpoint for the cursor's size, or enough time; before the stream waits or ends; and never twice for
 * the same position. Pure: the stream reads the clock and encodes the cursor.
 */
export class CheckpointPolicy {
  /** The cursor version last sent (0: the caller's own, which it already has). */
  private sentVersion = 0;
  private eventsSince = 0;
  private sentAt: number;

  /** @param startedAt when the stream started (clock ms): the first interval runs from there. */
  constructor(startedAt: number) {
    this.sentAt = startedAt;
  }

  /** An event went out. */
  delivered(): void {
    this.eventsSince++;
  }

  /** At a page's end: whether a checkpoint is due, for a cursor of `entries` shards at `now`. */
  dueAtPageEnd(entries: number, now: number): boolean {
    return (
      this.eventsSince >= CHECKPOINT_EVENTS_PER_SHARD * Math.max(1, entries) ||
      now - this.sentAt >= CHECKPOINT_INTERVAL_MS
    );
  }

  /** Whether the position (its `version`) has moved since the last checkpoint: else none is owed. */
  moved(version: number): boolean {
    return version !== this.sentVersion;
  }

  /** A checkpoint of position `version` was sent at `now`. */
  sent(version: number, now: number): void {
    this.sentVersion = version;
    this.eventsSince = 0;
    this.sentAt = now;
  }
}
