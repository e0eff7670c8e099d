import type {
  RecordsPage,
  ShardIteratorRequest,
  StreamDescriptionPage,
  StreamsClient,
  TableStream,
} from "../../../src/auditlog/dynamo/streams-client.js";

/**
 * A StreamsClient in front of another whose DescribeStream lags behind the shards, as DynamoDB Streams'
 * may during a split: for the next `listings` full listings it can leave a shard out (a closed leaf seems
 * to have no child yet) or show a closed shard as still open (its child is listed before it closes).
 */
export class InconsistentDescribe implements StreamsClient {
  /** Full listings (DescribeStream without a start shard) so far. */
  listings = 0;
  private readonly hidden = new Map<string, number>();
  private readonly shownOpen = new Map<string, number>();

  constructor(private readonly inner: StreamsClient) {}

  /** Leaves `shardId` out of the next `listings` listings. */
  hide(shardId: string, listings: number): void {
    this.hidden.set(shardId, this.listings + listings);
  }

  /** Lists `shardId` without its ending sequence number for the next `listings` listings. */
  showOpen(shardId: string, listings: number): void {
    this.shownOpen.set(shardId, this.listings + listings);
  }

  describeTableStream(table: string): Promise<TableStream> {
    return this.inner.describeTableStream(table);
  }

  async describeStream(streamArn: string, exclusiveStartShardId?: string): Promise<StreamDescriptionPage> {
    if (exclusiveStartShardId === undefined) this.listings++;
    const page = await this.inner.describeStream(streamArn, exclusiveStartShardId);
    const until = (map: Map<string, number>, id: string) => this.listings <= (map.get(id) ?? 0);
    return {
      ...page,
      shards: page.shards
        .filter((shard) => !until(this.hidden, shard.shardId))
        .map((shard) => {
          if (!until(this.shownOpen, shard.shardId)) return shard;
          const { endingSequenceNumber: _ending, ...open } = shard;
          return open;
        }),
    };
  }

  getShardIterator(request: ShardIteratorRequest): Promise<string> {
    return this.inner.getShardIterator(request);
  }

  getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    return this.inner.getRecords(iterator, limit);
  }

  close(): void {
    this.inner.close();
  }
}
