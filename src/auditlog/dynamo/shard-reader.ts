import type { DynamoMetrics } from "./metrics.js";
import type { StartPoint } from "./resume-plan.js";
import { positionSequenceNumber, type ShardPosition } from "./shard-position.js";
import type { StreamRecord, StreamsClient } from "./streams-client.js";
import { ExpiredIteratorError } from "./streams-errors.js";

/** What a read needs from the stream that asks for it. */
export interface ReadContext {
  client: StreamsClient;
  streamArn: string;
  table: string;
  pageSize: number;
  metrics: DynamoMetrics;
  /** Runs a request for the asking stream (retrying throttling, ending when that stream is cancelled). */
  call<T>(operation: string, request: () => Promise<T>): Promise<T>;
}

export interface ReaderPage {
  from: ShardPosition;
  records: StreamRecord[];
  next: ShardPosition;
  finished: boolean;
}

/**
 * One GetRecords loop on one shard: holds the shard iterator and the position it stands at, and renews
 * an expired iterator from that position. Conditions tied to the position are left to the caller:
 *
 * @throws TrimmedDataError when the position has been trimmed
 * @throws NotFoundError when the shard has left the stream
 * @throws InvalidArgumentError when the service rejects the position (a sequence number not the shard's)
 * @throws ExpiredIteratorError when an iterator opened at LATEST expires: LATEST again would skip what
 *   arrived meanwhile, so the caller decides where to go on
 */
export class ShardReader {
  private iterator: string | undefined;
  private current: ShardPosition;

  constructor(
    readonly id: number,
    readonly shard: string,
    start: ShardPosition,
  ) {
    this.current = start;
  }

  get position(): ShardPosition {
    return this.current;
  }

  async read(context: ReadContext): Promise<ReaderPage> {
    const { client, metrics, table, pageSize } = context;
    for (;;) {
      if (this.iterator === undefined) this.iterator = await this.acquire(context);
      const from = this.current;
      const iterator = this.iterator;
      try {
        const page = await context.call("GetRecords", () => client.getRecords(iterator, pageSize));
        metrics.getRecordsCalls.inc({ table });
        this.iterator = page.nextIterator;
        const last = page.records.at(-1);
        if (last) this.current = { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: last.sequenceNumber };
        return { from, records: page.records, next: this.current, finished: page.nextIterator === undefined };
      } catch (err) {
        if (!(err instanceof ExpiredIteratorError)) throw err;
        metrics.iteratorRenewals.inc({ table });
        this.iterator = undefined;
        if (this.current.type === "OPENED_LATEST") throw err;
      }
    }
  }

  private async acquire(context: ReadContext): Promise<string> {
    const position = this.current;
    if (position.type === "OPENED_LATEST") {
      throw new ExpiredIteratorError(`the LATEST position of reader ${position.reader} cannot be reopened`);
    }
    const start: StartPoint = position;
    const sequenceNumber = positionSequenceNumber(start);
    const iterator = await context.call("GetShardIterator", () =>
      context.client.getShardIterator({
        streamArn: context.streamArn,
        shardId: this.shard,
        type: start.type,
        ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
      }),
    );
    // LATEST is fixed when the iterator is issued; from now on the position is this reader's alone.
    if (start.type === "LATEST") this.current = { type: "OPENED_LATEST", reader: this.id };
    return iterator;
  }
}
