import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateTableCommand,
  type AttributeValue as SdkAttributeValue,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../../errors/errors.js";
import { JsonTextError } from "../../events/json-guard.js";
import { isJsonObject, parseJson, type JsonObject } from "../../events/json.js";
import { silentLogger, type Logger } from "../../observability/logger.js";
import { isRefusedLine, type InputLine } from "../input-lines.js";
import { translateAwsError, type AwsClientConfig } from "./aws-streams-client.js";
import { TELEPORT_TABLE, itemFromEvent, type ItemOptions } from "./teleport-item.js";

export interface IngestOptions extends ItemOptions {
  /** Default silent. */
  logger?: Logger;
  /** Waiting for a new table to become ACTIVE gives up after this long. Default 120 000 ms. */
  activeTimeoutMs?: number;
  /**
   * Turn on a NEW_IMAGE stream on an existing table that has none (an `UpdateTable` on a table someone
   * else owns). Default false: such a table is refused, never changed.
   */
  enableStream?: boolean;
}

export interface IngestResult {
  /** Items written. */
  written: number;
  /** Events already in the table (same SessionID and EventIndex), left as they were. */
  duplicates: number;
}

/**
 * Writes Teleport audit events (JSON objects) into Teleport's events table in Teleport's own item format,
 * creating the table (with its stream) when it does not exist. Events are written one at a time in order,
 * as Teleport emits them, so the stream sees a session's events in order.
 */
export async function ingestEvents(
  config: AwsClientConfig & { table: string },
  events: AsyncIterable<JsonObject> | Iterable<JsonObject>,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const client = new DynamoDBClient(config);
  try {
    await ensureEventsTable(client, config.table, options);
    return await writeEvents(client, config.table, events, options);
  } finally {
    client.destroy();
  }
}

export interface IngestLinesResult extends IngestResult {
  /** Lines that are not a Teleport event (not JSON, not an object, no type or time): skipped. */
  invalid: number;
  invalidLines: { line: number; reason: string }[];
}

/**
 * Like ingestEvents, from JSON Lines (one Teleport event per line; blank lines ignored; lines the input
 * reader refused, over the bound or not UTF-8, count as invalid). Lines that are not
 * valid events are reported and skipped; the rest are written in order.
 */
export async function ingestEventLines(
  config: AwsClientConfig & { table: string },
  lines: AsyncIterable<InputLine> | Iterable<InputLine>,
  options: IngestOptions = {},
): Promise<IngestLinesResult> {
  const client = new DynamoDBClient(config);
  const result: IngestLinesResult = { written: 0, duplicates: 0, invalid: 0, invalidLines: [] };
  try {
    await ensureEventsTable(client, config.table, options);
    let number = 0;
    for await (const line of lines) {
      number++;
      if (!isRefusedLine(line) && line.trim() === "") continue;
      const event = isRefusedLine(line) ? line.refused : eventFromLine(line);
      if (typeof event === "string") {
        result.invalid++;
        result.invalidLines.push({ line: number, reason: event });
        continue;
      }
      try {
        const written = await writeEvents(client, config.table, [event], options);
        result.written += written.written;
        result.duplicates += written.duplicates;
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err;
        result.invalid++;
        result.invalidLines.push({ line: number, reason: err.message });
      }
    }
    return result;
  } finally {
    client.destroy();
  }
}

/**
 * Creates the table as Teleport does (hash SessionID S, range EventIndex N, the `timesearchV2` index on
 * CreatedAtDate S + CreatedAt N, on-demand billing) with a NEW_IMAGE stream. An existing table is never
 * changed unless asked: without a stream it is refused, or given one with `enableStream` (Teleport does not
 * turn one on itself).
 * @throws FailedPreconditionError when the existing table has no stream (and `enableStream` is not set), or
 *   its stream's view type lacks the new image.
 */
export async function ensureEventsTable(
  client: DynamoDBClient,
  table: string,
  options: Pick<IngestOptions, "logger" | "activeTimeoutMs" | "enableStream"> = {},
): Promise<"created" | "stream-enabled" | "ready"> {
  const logger = options.logger ?? silentLogger;
  const existing = await describe(client, table);
  if (existing === undefined) {
    await call("CreateTable", table, () =>
      client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: "PAY_PER_REQUEST",
          KeySchema: [
            { AttributeName: TELEPORT_TABLE.hashKey, KeyType: "HASH" },
            { AttributeName: TELEPORT_TABLE.rangeKey, KeyType: "RANGE" },
          ],
          AttributeDefinitions: [
            { AttributeName: TELEPORT_TABLE.hashKey, AttributeType: "S" },
            { AttributeName: TELEPORT_TABLE.rangeKey, AttributeType: "N" },
            { AttributeName: TELEPORT_TABLE.timeIndexHashKey, AttributeType: "S" },
            { AttributeName: TELEPORT_TABLE.timeIndexRangeKey, AttributeType: "N" },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: TELEPORT_TABLE.timeIndex,
              KeySchema: [
                { AttributeName: TELEPORT_TABLE.timeIndexHashKey, KeyType: "HASH" },
                { AttributeName: TELEPORT_TABLE.timeIndexRangeKey, KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: "ALL" },
            },
          ],
          StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
        }),
      ),
    );
    await waitUntilActive(client, table, options.activeTimeoutMs ?? 120_000);
    logger.info({ table }, "created the events table with a NEW_IMAGE stream");
    return "created";
  }
  const stream = existing.StreamSpecification;
  if (stream?.StreamEnabled === true) {
    if (stream.StreamViewType === "NEW_IMAGE" || stream.StreamViewType === "NEW_AND_OLD_IMAGES")
      return "ready";
    throw new FailedPreconditionError(
      `the stream of table ${table} has view type ${stream.StreamViewType ?? "unknown"}: ` +
        `audit events need NEW_IMAGE (disable the stream and enable it with NEW_IMAGE)`,
    );
  }
  if (options.enableStream !== true) {
    throw new FailedPreconditionError(
      `table ${table} has no stream, so the events written would never reach the events server; ` +
        `ingest does not change an existing table unless asked: pass --enable-stream to turn on a ` +
        `NEW_IMAGE stream, or enable it yourself`,
    );
  }
  await call("UpdateTable", table, () =>
    client.send(
      new UpdateTableCommand({
        TableName: table,
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
      }),
    ),
  );
  await waitUntilActive(client, table, options.activeTimeoutMs ?? 120_000);
  logger.info({ table }, "enabled a NEW_IMAGE stream on the events table");
  return "stream-enabled";
}

/** Writes each event as Teleport's item; an item already present (same key) is left alone and counted. */
export async function writeEvents(
  client: DynamoDBClient,
  table: string,
  events: AsyncIterable<JsonObject> | Iterable<JsonObject>,
  options: ItemOptions = {},
): Promise<IngestResult> {
  const result: IngestResult = { written: 0, duplicates: 0 };
  for await (const event of events) {
    const item = itemFromEvent(event, options) as Record<string, SdkAttributeValue>;
    try {
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: item,
          ConditionExpression: "attribute_not_exists(#s) AND attribute_not_exists(#i)",
          ExpressionAttributeNames: { "#s": TELEPORT_TABLE.hashKey, "#i": TELEPORT_TABLE.rangeKey },
        }),
      );
      result.written++;
    } catch (err) {
      if (err instanceof Error && err.name === "ConditionalCheckFailedException") result.duplicates++;
      else throw translateAwsError(err, "PutItem", { table });
    }
  }
  return result;
}

/** The event on a line, or why there is none. */
function eventFromLine(line: string): JsonObject | string {
  let value;
  try {
    value = parseJson(line);
  } catch (err) {
    return err instanceof JsonTextError ? err.message : "not valid JSON";
  }
  return isJsonObject(value) ? value : "not a JSON object";
}

async function describe(client: DynamoDBClient, table: string): Promise<TableDescription | undefined> {
  try {
    const output = await call("DescribeTable", table, () =>
      client.send(new DescribeTableCommand({ TableName: table })),
    );
    return output.Table;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

async function waitUntilActive(client: DynamoDBClient, table: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const description = await describe(client, table);
    if (description?.TableStatus === "ACTIVE") return;
    if (Date.now() > deadline) throw new FailedPreconditionError(`table ${table} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function call<T>(operation: string, table: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    throw translateAwsError(err, operation, { table });
  }
}
