import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import {
  DomainError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from "../../errors/errors.js";
import type {
  Item,
  RecordsPage,
  ShardIteratorRequest,
  StreamDescriptionPage,
  StreamRecord,
  StreamsClient,
  TableStream,
} from "./streams-client.js";
import { ExpiredIteratorError, ThrottledError, TrimmedDataError } from "./streams-errors.js";

export interface AwsClientConfig {
  /** Default: the SDK's own resolution (AWS_REGION, profile). */
  region?: string;
  /** A custom endpoint, e.g. DynamoDB Local. Default: AWS. */
  endpoint?: string;
  /** Default: the SDK's credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The real StreamsClient: DynamoDB (DescribeTable) and DynamoDB Streams through the AWS SDK. */
export class AwsStreamsClient implements StreamsClient {
  private readonly dynamodb: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;

  constructor(config: AwsClientConfig = {}) {
    // One attempt each: the audit log retries throttled and failed calls itself (throttled-call.ts), so a
    // throttled call is not tried three times by the SDK and then again by the log.
    this.dynamodb = new DynamoDBClient({ ...config, maxAttempts: 1 });
    this.streams = new DynamoDBStreamsClient({ ...config, maxAttempts: 1 });
  }

  async describeTableStream(table: string): Promise<TableStream> {
    const output = await this.send("DescribeTable", { table }, () =>
      this.dynamodb.send(new DescribeTableCommand({ TableName: table })),
    );
    const spec = output.Table?.StreamSpecification;
    const stream: TableStream = { table, streamEnabled: spec?.StreamEnabled === true };
    if (output.Table?.LatestStreamArn !== undefined) stream.streamArn = output.Table.LatestStreamArn;
    if (spec?.StreamViewType !== undefined) stream.viewType = spec.StreamViewType;
    return stream;
  }

  async describeStream(streamArn: string, exclusiveStartShardId?: string): Promise<StreamDescriptionPage> {
    const output = await this.send("DescribeStream", { streamArn }, () =>
      this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      ),
    );
    const description = output.StreamDescription;
    const page: StreamDescriptionPage = { shards: [] };
    if (description?.StreamStatus !== undefined) page.status = description.StreamStatus;
    if (description?.CreationRequestDateTime !== undefined) {
      page.createdAt = description.CreationRequestDateTime.getTime();
    }
    if (description?.LastEvaluatedShardId !== undefined)
      page.lastEvaluatedShardId = description.LastEvaluatedShardId;
    for (const shard of description?.Shards ?? []) {
      if (shard.ShardId === undefined) continue;
      page.shards.push({
        shardId: shard.ShardId,
        ...(shard.ParentShardId === undefined ? {} : { parentShardId: shard.ParentShardId }),
        ...(shard.SequenceNumberRange?.StartingSequenceNumber === undefined
          ? {}
          : { startingSequenceNumber: shard.SequenceNumberRange.StartingSequenceNumber }),
        ...(shard.SequenceNumberRange?.EndingSequenceNumber === undefined
          ? {}
          : { endingSequenceNumber: shard.SequenceNumberRange.EndingSequenceNumber }),
      });
    }
    return page;
  }

  async getShardIterator(request: ShardIteratorRequest): Promise<string> {
    const output = await this.send("GetShardIterator", { shardId: request.shardId }, () =>
      this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: request.streamArn,
          ShardId: request.shardId,
          ShardIteratorType: request.type,
          SequenceNumber: request.sequenceNumber,
        }),
      ),
    );
    if (output.ShardIterator === undefined) {
      throw new NotFoundError(`shard ${request.shardId} has no iterator (it has left the stream)`);
    }
    return output.ShardIterator;
  }

  async getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    const output = await this.send("GetRecords", {}, () =>
      this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit })),
    );
    const page: RecordsPage = { records: (output.Records ?? []).map(streamRecord) };
    if (output.NextShardIterator) page.nextIterator = output.NextShardIterator;
    return page;
  }

  close(): void {
    this.dynamodb.destroy();
    this.streams.destroy();
  }

  private async send<T>(operation: string, context: ErrorContext, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw translateAwsError(err, operation, context);
    }
  }
}

function streamRecord(record: _Record): StreamRecord {
  const data = record.dynamodb;
  const result: StreamRecord = {
    eventName: record.eventName ?? "",
    sequenceNumber: data?.SequenceNumber ?? "",
  };
  if (data?.ApproximateCreationDateTime !== undefined) {
    result.approximateCreationTime = data.ApproximateCreationDateTime.getTime();
  }
  // The SDK's AttributeValue union has the same members as ours (plus $unknown, which never appears).
  if (data?.Keys !== undefined) result.keys = data.Keys as Item;
  if (data?.NewImage !== undefined) result.newImage = data.NewImage as Item;
  return result;
}

export interface ErrorContext {
  table?: string;
  streamArn?: string;
  shardId?: string;
}

const THROTTLING = new Set([
  "LimitExceededException",
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
]);

/** The credentials the SDK sends are refused or lack a permission: retrying cannot help. */
const PERMISSION = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "MissingAuthenticationTokenException",
  "InvalidClientTokenId",
]);

/**
 * Whether the SDK failed before sending anything because it is not configured: no region, or no
 * credentials anywhere in its chain. The SDK raises these as plain errors, recognisable by their text.
 */
function configurationProblem(name: string, message: string): string | undefined {
  if (/^Region is missing|^Region not accepted/.test(message) || /^Region not accepted/.test(name)) {
    return "set the region (--region or AWS_REGION)";
  }
  if (name === "CredentialsProviderError" || /Could not load credentials/.test(message)) {
    return "give it credentials (environment, profile or role)";
  }
  return undefined;
}

/** "Name: message" as the SDK gave them, so the cause survives into logs and statuses. */
function sdkCause(name: string, message: string): string {
  if (name === "" || name === "Error" || message.startsWith(name)) return message;
  if (name.startsWith(message)) return name;
  return message === "" ? name : `${name}: ${message}`;
}

/**
 * Maps what the AWS SDK throws to the errors the reader and the gRPC layer understand, keeping the SDK's
 * error name and message. Configuration and permission problems are FailedPreconditionError (the server
 * cannot serve until its operator fixes them; clients do not retry); only transport and service
 * failures are UnavailableError.
 */
export function translateAwsError(err: unknown, operation: string, context: ErrorContext = {}): Error {
  if (err instanceof DomainError) return err;
  const name = err instanceof Error ? err.name : "";
  const message = err instanceof Error ? err.message : String(err);
  if (name === "ExpiredIteratorException") {
    return new ExpiredIteratorError(`${operation}: the shard iterator has expired`, { cause: err });
  }
  if (name === "TrimmedDataAccessException") {
    return new TrimmedDataError(`${operation}: the requested stream position has been trimmed`, {
      cause: err,
    });
  }
  if (THROTTLING.has(name)) return new ThrottledError(`${operation} was throttled (${name})`, { cause: err });
  if (name === "ResourceNotFoundException" || name === "TableNotFoundException") {
    if (context.table !== undefined)
      return new NotFoundError(`table ${context.table} not found`, { cause: err });
    if (context.shardId !== undefined) {
      return new NotFoundError(`shard ${context.shardId} not found in the stream`, { cause: err });
    }
    if (context.streamArn !== undefined) {
      return new NotFoundError(`stream ${context.streamArn} not found`, { cause: err });
    }
    return new NotFoundError(`${operation}: resource not found`, { cause: err });
  }
  if (name === "ValidationException") {
    return new InvalidArgumentError(`${operation} rejected the request: ${message}`, { cause: err });
  }
  const fix = configurationProblem(name, message);
  if (fix !== undefined) {
    return new FailedPreconditionError(
      `DynamoDB ${operation}: the AWS SDK is not configured (${sdkCause(name, message)}); ${fix}`,
      { cause: err },
    );
  }
  if (PERMISSION.has(name)) {
    const on = context.table ?? context.streamArn ?? "";
    return new FailedPreconditionError(
      `DynamoDB ${operation}${on === "" ? "" : ` on ${on}`} is not permitted for these credentials ` +
        `(${sdkCause(name, message)}); see the README's IAM policy for serve`,
      { cause: err },
    );
  }
  return new UnavailableError(`DynamoDB ${operation} failed: ${sdkCause(name, message)}`, { cause: err });
}
