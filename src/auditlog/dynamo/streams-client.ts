/**
 * The narrow slice of DynamoDB and DynamoDB Streams the audit log needs. The AWS SDK adapter
 * (aws-streams-client.ts) is the real implementation; tests use a deterministic simulator.
 *
 * Implementations translate service errors into typed errors: ExpiredIteratorError, TrimmedDataError
 * and ThrottledError (streams-errors.ts), NotFoundError (table or shard gone), InvalidArgumentError (a
 * request the service rejects as invalid, e.g. a sequence number that is not the shard's) and
 * UnavailableError (anything else).
 */
export interface StreamsClient {
  /** The table's stream settings (DescribeTable). @throws NotFoundError "table X not found" */
  describeTableStream(table: string): Promise<TableStream>;
  /** One page of DescribeStream, after `exclusiveStartShardId` when given. */
  describeStream(streamArn: string, exclusiveStartShardId?: string): Promise<StreamDescriptionPage>;
  /** @throws TrimmedDataError when the position has been trimmed; NotFoundError when the shard is gone. */
  getShardIterator(request: ShardIteratorRequest): Promise<string>;
  /**
   * Up to `limit` records after the iterator. `nextIterator` is undefined once the shard is closed and
   * every record has been returned (possibly together with this page's records).
   */
  getRecords(iterator: string, limit: number): Promise<RecordsPage>;
  /** Releases connections. */
  close(): void;
}

/** Where the table's stream is, as DescribeTable reports it. */
export interface TableStream {
  table: string;
  streamEnabled: boolean;
  /** LatestStreamArn; present once a stream has been enabled. */
  streamArn?: string;
  /** NEW_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY or OLD_IMAGE. */
  viewType?: string;
}

export interface StreamDescriptionPage {
  /** ENABLING, ENABLED, DISABLING or DISABLED. */
  status?: string;
  /** When the stream was created (ms since the epoch). */
  createdAt?: number;
  shards: ShardDescription[];
  /** Present when there are more shards: pass it as `exclusiveStartShardId` for the next page. */
  lastEvaluatedShardId?: string;
}

export interface ShardDescription {
  shardId: string;
  parentShardId?: string;
  startingSequenceNumber?: string;
  /** Present once the shard is closed (it receives no more records). */
  endingSequenceNumber?: string;
}

export type ShardIteratorType = "TRIM_HORIZON" | "LATEST" | "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER";

export interface ShardIteratorRequest {
  streamArn: string;
  shardId: string;
  type: ShardIteratorType;
  /** Required for AT_ and AFTER_SEQUENCE_NUMBER. */
  sequenceNumber?: string;
}

export interface RecordsPage {
  records: StreamRecord[];
  nextIterator?: string;
}

export interface StreamRecord {
  /** INSERT, MODIFY or REMOVE. */
  eventName: string;
  sequenceNumber: string;
  /** ApproximateCreationDateTime in ms since the epoch (the service rounds it down). */
  approximateCreationTime?: number;
  keys?: Item;
  newImage?: Item;
}

export type Item = Record<string, AttributeValue>;

/** A DynamoDB attribute value; numbers (N, NS) are decimal text and stay text. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Uint8Array }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: Uint8Array[] }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { NULL: boolean }
  | { BOOL: boolean };
