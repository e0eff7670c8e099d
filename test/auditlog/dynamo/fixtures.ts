import { readFileSync } from "node:fs";
import type { Item, StreamRecord } from "../../../src/auditlog/dynamo/streams-client.js";
import { isJsonObject, parseJson, type JsonObject } from "../../../src/events/json.js";

interface FixtureRecord {
  eventName: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Item;
    NewImage?: Item;
    SequenceNumber: string;
  };
}

function lines(name: string): string[] {
  return readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/** test/fixtures/teleport-dynamo-records.jsonl as StreamRecords (what the AWS adapter produces). */
export function fixtureStreamRecords(): StreamRecord[] {
  return lines("teleport-dynamo-records.jsonl").map((line) => {
    const record = JSON.parse(line) as FixtureRecord;
    const result: StreamRecord = {
      eventName: record.eventName,
      sequenceNumber: record.dynamodb.SequenceNumber,
      approximateCreationTime: record.dynamodb.ApproximateCreationDateTime * 1000,
      keys: record.dynamodb.Keys,
    };
    if (record.dynamodb.NewImage) result.newImage = record.dynamodb.NewImage;
    return result;
  });
}

/** test/fixtures/teleport-events.jsonl, numbers exact. */
export function fixtureEvents(): JsonObject[] {
  return events("teleport-events.jsonl");
}

/**
 * test/fixtures/json-shapes.jsonl: events holding every JSON shape an attribute value must carry (empty
 * object and list, nested empties, null, huge, tiny and 38-digit numbers, empty and astral strings).
 */
export function jsonShapeEvents(): JsonObject[] {
  return events("json-shapes.jsonl");
}

function events(name: string): JsonObject[] {
  return lines(name).map((line) => {
    const value = parseJson(line);
    if (!isJsonObject(value)) throw new Error("fixture event is not an object");
    return value;
  });
}
