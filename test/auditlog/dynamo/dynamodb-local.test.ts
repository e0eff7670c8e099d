import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDynamoAuditLog,
  ensureEventsTable,
  ingestEventLines,
  ingestEvents,
} from "../../../src/auditlog/dynamo/index.js";
import { decodeCursor, EMPTY_CURSOR, type Cursor } from "../../../src/cursor/cursor.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../../../src/errors/errors.js";
import { formatEvent } from "../../../src/events/codec.js";
import { stringifyJson, type JsonObject } from "../../../src/events/json.js";
import type { StreamEvent } from "../../../src/gen/auth/auth.js";
import { createEventsClient } from "../../../src/client/events-client.js";
import { newRegistry } from "../../../src/observability/metrics.js";
import { startEventsServer } from "../../../src/server/events-server.js";
import { startDynamoDbLocal, type DynamoDbLocal } from "../../support/dynamodb-local.js";
import { fixtureEvents, jsonShapeEvents } from "./fixtures.js";

let local: DynamoDbLocal;
let tables = 0;

beforeAll(async () => {
  local = await startDynamoDbLocal();
});

afterAll(async () => {
  await local?.stop();
});

function newTable(): string {
  return `teleport-events-${++tables}`;
}

function logFor(table: string) {
  return createDynamoAuditLog({ table, ...local.clientConfig, pollIntervalMs: 50 });
}

async function read(
  table: string,
  cursor: Cursor,
  options: { untilCaughtUp?: boolean; count?: number } = { untilCaughtUp: true },
): Promise<StreamEvent[]> {
  const log = logFor(table);
  const controller = new AbortController();
  const events: StreamEvent[] = [];
  try {
    for await (const event of log.streamEvents(cursor, {
      signal: controller.signal,
      untilCaughtUp: options.untilCaughtUp ?? false,
    })) {
      events.push(event);
      if (events.length === options.count) controller.abort();
    }
  } finally {
    await log.close();
  }
  return events;
}

/** Events as plain JSON, for comparing with the fixture. */
const asJson = (events: StreamEvent[]) =>
  events.map((e) => JSON.parse(formatEvent(e.event ?? {})) as unknown);
const fixtureJson = (events: JsonObject[]) => events.map((e) => JSON.parse(stringifyJson(e)) as unknown);

describe("DynamoAuditLog against DynamoDB Local", () => {
  it("streams ingested Teleport events in order and resumes from a middle cursor with exactly the rest", async () => {
    const table = newTable();
    const events = fixtureEvents();
    const result = await ingestEvents({ table, ...local.clientConfig }, events);
    expect(result).toEqual({ written: events.length, duplicates: 0 });

    const all = await read(table, EMPTY_CURSOR);
    expect(asJson(all)).toEqual(fixtureJson(events));

    const middle = 7;
    const rest = await read(table, decodeCursor((all[middle] as StreamEvent).cursor));
    expect(asJson(rest)).toEqual(fixtureJson(events.slice(middle + 1)));
    expect(await read(table, decodeCursor((all.at(-1) as StreamEvent).cursor))).toEqual([]);
  });

  it("streams events holding every JSON shape unchanged (empty maps come from the SDK as {})", async () => {
    const table = newTable();
    const events = jsonShapeEvents();
    expect(await ingestEvents({ table, ...local.clientConfig }, events)).toEqual({
      written: events.length,
      duplicates: 0,
    });
    expect(asJson(await read(table, EMPTY_CURSOR))).toEqual(fixtureJson(events));
  });

  it("follows the table: events written while streaming arrive", async () => {
    const table = newTable();
    const events = fixtureEvents();
    await ingestEvents({ table, ...local.clientConfig }, events.slice(0, 5));
    const streaming = read(table, EMPTY_CURSOR, { count: events.length });
    await ingestEvents({ table, ...local.clientConfig }, events.slice(5));
    expect(asJson(await streaming)).toEqual(fixtureJson(events));
  });

  it("streams on one log share its shard reader: a later stream takes the pages read for the first, and both follow", async () => {
    const table = newTable();
    const events = fixtureEvents();
    await ingestEvents({ table, ...local.clientConfig }, events.slice(0, 10));
    const registry = newRegistry();
    const log = createDynamoAuditLog({ table, ...local.clientConfig, pollIntervalMs: 50, registry });
    const getRecordsCalls = async () =>
      (await registry.getSingleMetric("tenant_events_dynamo_get_records_total")?.get())?.values[0]?.value ??
      0;
    const controller = new AbortController();
    const first = log.streamEvents(EMPTY_CURSOR, { signal: controller.signal })[Symbol.asyncIterator]();
    const second = log.streamEvents(EMPTY_CURSOR, { signal: controller.signal })[Symbol.asyncIterator]();
    const take = async (stream: AsyncIterator<StreamEvent>, count: number) => {
      const taken: StreamEvent[] = [];
      while (taken.length < count) {
        const next = await stream.next();
        if (next.done) break;
        taken.push(next.value);
      }
      return taken;
    };
    try {
      expect(asJson(await take(first, 10))).toEqual(fixtureJson(events.slice(0, 10)));
      const calls = await getRecordsCalls();
      expect(asJson(await take(second, 10))).toEqual(fixtureJson(events.slice(0, 10)));
      expect(await getRecordsCalls()).toBe(calls);
      await ingestEvents({ table, ...local.clientConfig }, events.slice(10));
      const [a, b] = await Promise.all([take(first, events.length - 10), take(second, events.length - 10)]);
      expect(asJson(a)).toEqual(fixtureJson(events.slice(10)));
      expect(asJson(b)).toEqual(fixtureJson(events.slice(10)));
    } finally {
      controller.abort();
      await first.return?.(undefined);
      await second.return?.(undefined);
      await log.close();
    }
  });

  it("a shard's start marker reads the shard from its first record", async () => {
    const table = newTable();
    const events = fixtureEvents().slice(0, 4);
    await ingestEvents({ table, ...local.clientConfig }, events);
    const all = await read(table, EMPTY_CURSOR);
    const shard = [...decodeCursor((all[0] as StreamEvent).cursor).keys()][0] as string;
    expect(asJson(await read(table, new Map([[shard, "0"]])))).toEqual(fixtureJson(events));
  });

  it("re-ingesting leaves events with a session untouched, as Teleport's conditional write does", async () => {
    const table = newTable();
    const withSession = fixtureEvents().filter((e) => typeof e["sid"] === "string" && e["sid"] !== "");
    await ingestEvents({ table, ...local.clientConfig }, withSession);
    const again = await ingestEvents({ table, ...local.clientConfig }, withSession);
    expect(again).toEqual({ written: 0, duplicates: withSession.length });
  });

  it("creates the table in Teleport's schema with a NEW_IMAGE stream; enables a stream on an existing table only when asked", async () => {
    const client = new DynamoDBClient(local.clientConfig);
    try {
      const table = newTable();
      expect(await ensureEventsTable(client, table)).toBe("created");
      expect(await ensureEventsTable(client, table)).toBe("ready");
      const description = (await client.send(new DescribeTableCommand({ TableName: table }))).Table;
      expect(description?.KeySchema).toEqual([
        { AttributeName: "SessionID", KeyType: "HASH" },
        { AttributeName: "EventIndex", KeyType: "RANGE" },
      ]);
      expect(description?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe("timesearchV2");
      expect(description?.GlobalSecondaryIndexes?.[0]?.KeySchema).toEqual([
        { AttributeName: "CreatedAtDate", KeyType: "HASH" },
        { AttributeName: "CreatedAt", KeyType: "RANGE" },
      ]);
      expect(description?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_IMAGE" });

      const bare = newTable();
      await createBareTable(client, bare);
      await expect(ensureEventsTable(client, bare)).rejects.toThrow(
        new FailedPreconditionError(
          `table ${bare} has no stream, so the events written would never reach the events server; ` +
            `ingest does not change an existing table unless asked: pass --enable-stream to turn on a ` +
            `NEW_IMAGE stream, or enable it yourself`,
        ),
      );
      const untouched = (await client.send(new DescribeTableCommand({ TableName: bare }))).Table;
      expect(untouched?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
      expect(await ensureEventsTable(client, bare, { enableStream: true })).toBe("stream-enabled");
      const enabled = (await client.send(new DescribeTableCommand({ TableName: bare }))).Table;
      expect(enabled?.StreamSpecification?.StreamViewType).toBe("NEW_IMAGE");
    } finally {
      client.destroy();
    }
  });

  it("ingests JSON Lines, reporting and skipping lines that are not events", async () => {
    const table = newTable();
    const events = fixtureEvents().slice(0, 3);
    const lines = [
      stringifyJson(events[0] as JsonObject),
      "",
      "{not json",
      "[1, 2]",
      '{"event":"user.login"}',
      stringifyJson(events[1] as JsonObject),
      stringifyJson(events[2] as JsonObject),
    ];
    const result = await ingestEventLines({ table, ...local.clientConfig }, lines);
    expect(result).toEqual({
      written: 3,
      duplicates: 0,
      invalid: 3,
      invalidLines: [
        { line: 3, reason: "not valid JSON at position 1" },
        { line: 4, reason: "not a JSON object" },
        { line: 5, reason: 'event has no "time"' },
      ],
    });
    expect(asJson(await read(table, EMPTY_CURSOR))).toEqual(fixtureJson(events));
  });

  it("a table without a stream is FAILED_PRECONDITION", async () => {
    const client = new DynamoDBClient(local.clientConfig);
    const table = newTable();
    try {
      await createBareTable(client, table);
    } finally {
      client.destroy();
    }
    await expect(read(table, EMPTY_CURSOR)).rejects.toThrow(FailedPreconditionError);
    await expect(read(table, EMPTY_CURSOR)).rejects.toThrow(
      `DynamoDB Streams is not enabled on table ${table}`,
    );
  });

  it("a missing table is NOT_FOUND", async () => {
    await expect(read("no-such-table", EMPTY_CURSOR)).rejects.toThrow(NotFoundError);
    await expect(read("no-such-table", EMPTY_CURSOR)).rejects.toThrow("table no-such-table not found");
  });

  it("a cursor from another table's stream is INVALID_ARGUMENT", async () => {
    const first = newTable();
    const second = newTable();
    await ingestEvents({ table: first, ...local.clientConfig }, fixtureEvents().slice(0, 2));
    await ingestEvents({ table: second, ...local.clientConfig }, fixtureEvents().slice(2, 4));
    const fromFirst = await read(first, EMPTY_CURSOR);
    const cursor = decodeCursor((fromFirst[0] as StreamEvent).cursor);
    await expect(read(second, cursor)).rejects.toThrow(InvalidArgumentError);
    await expect(read(second, cursor)).rejects.toThrow(`which the stream of table ${second} does not have`);
  });
});

describe("the events server over DynamoDB Local", () => {
  it("streams over gRPC, resumes from a middle cursor, and maps errors to status codes", async () => {
    const table = newTable();
    const events = fixtureEvents();
    await ingestEvents({ table, ...local.clientConfig }, events);
    const log = logFor(table);
    const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
    const client = await createEventsClient(`127.0.0.1:${server.port}`, { backoff: { maxAttempts: 1 } });
    const readAll = async (cursor: string) => {
      const received: StreamEvent[] = [];
      for await (const event of client.streamEvents(cursor, { untilCaughtUp: true })) received.push(event);
      return received;
    };
    try {
      const all = await readAll("");
      expect(asJson(all)).toEqual(fixtureJson(events));
      const rest = await readAll((all[4] as StreamEvent).cursor);
      expect(asJson(rest)).toEqual(fixtureJson(events.slice(5)));
      expect(rest.map((e) => e.cursor)).toEqual(all.slice(5).map((e) => e.cursor));

      const foreign =
        '{"shard_id_to_sequence_number":{"shardId-00000001000000000000-00000000":"100000000000000000001"}}';
      await expect(readAll(foreign)).rejects.toThrow(InvalidArgumentError);
      await expect(readAll("{")).rejects.toThrow(InvalidArgumentError);
    } finally {
      client.close();
      await server.shutdown(1000);
      await log.close();
    }
  });
});

async function createBareTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "SessionID", KeyType: "HASH" },
        { AttributeName: "EventIndex", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "SessionID", AttributeType: "S" },
        { AttributeName: "EventIndex", AttributeType: "N" },
      ],
    }),
  );
}
