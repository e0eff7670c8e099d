/**
 * Batches submitted but not yet checkpointable, in the order they were read. Acknowledgements may
 * arrive in any order; a batch's cursor becomes safe to save only once it and every batch read before
 * it are acknowledged, since the cursor also covers their events. Pure: the reporter does the I/O.
 */
export class CheckpointOrder {
  /** Oldest first: each batch's cursor and whether it is acknowledged. */
  readonly #batches: { seq: number; cursor: string; acknowledged: boolean }[] = [];
  #nextSeq = 0;

  /** Batches in the window: not acknowledged, or acknowledged behind one that is not. */
  get size(): number {
    return this.#batches.length;
  }

  /** Records a batch handed to the submitter; returns its sequence number for `acknowledge`. */
  open(cursor: string): number {
    const seq = this.#nextSeq++;
    this.#batches.push({ seq, cursor, acknowledged: false });
    return seq;
  }

  /**
   * Marks batch `seq` acknowledged. Returns the cursor that has become safe to save (the newest batch
   * whose predecessors are all acknowledged), or undefined when the oldest batch is still waiting.
   * @throws RangeError for a sequence number not in the window (never opened, or already out of it)
   */
  acknowledge(seq: number): string | undefined {
    const batch = this.#batches.find((b) => b.seq === seq);
    if (batch === undefined || batch.acknowledged) {
      throw new RangeError(`batch ${seq} is not waiting for an acknowledgement`);
    }
    batch.acknowledged = true;
    let safe: string | undefined;
    while (this.#batches[0]?.acknowledged === true) safe = this.#batches.shift()?.cursor;
    return safe;
  }
}
