import { randomUUID } from "node:crypto";
import { InvalidArgumentError } from "../../errors/errors.js";
import { isJsonObject, isLosslessNumber, parseJson, type JsonObject } from "../../events/json.js";
import { JsonTextError } from "../../events/json-guard.js";
import { AttributeValueError, jsonToMap, mapMembers, mapToJson } from "./attribute-value.js";
import type { Item } from "./streams-client.js";

/** Teleport's events table: key schema, attributes and the time-search index, as Teleport creates it. */
export const TELEPORT_TABLE = {
  hashKey: "SessionID",
  rangeKey: "EventIndex",
  timeIndex: "timesearchV2",
  timeIndexHashKey: "CreatedAtDate",
  timeIndexRangeKey: "CreatedAt",
  namespace: "default",
  chunkPrefix: "CHUNK#",
} as const;

/** Teleport's default audit event retention: one year. */
export const DEFAULT_RETENTION_SECONDS = 365 * 24 * 60 * 60;

export interface ItemOptions {
  /** Seconds from CreatedAt to the Expires TTL. Default one year (Teleport's default). */
  retentionSeconds?: number;
  /** SessionID for events without a session; default a fresh random UUID, as Teleport does. */
  newSessionId?: () => string;
  /** The write time (ms since the epoch), from which Teleport counts the retention. Default Date.now. */
  now?: () => number;
}

/**
 * The item Teleport writes for an audit event: SessionID (the event's `sid`, or a fresh UUID), EventIndex
 * (`ei`), EventType, CreatedAt (the event's time, Unix seconds), Expires (write time plus retention, as
 * Teleport's setExpiry does), FieldsMap (the event as a native map, numbers exact), EventNamespace and
 * CreatedAtDate (the event's UTC date, yyyy-mm-dd).
 * @throws InvalidArgumentError when the event has no type, no valid time or a non-integer `ei`.
 */
export function itemFromEvent(event: JsonObject, options: ItemOptions = {}): Item {
  const type = event["event"];
  if (typeof type !== "string" || type === "") {
    throw new InvalidArgumentError(`event has no "event" type`);
  }
  const createdAt = unixSeconds(event["time"]);
  const index = event["ei"];
  let eventIndex = "0";
  if (index !== undefined) {
    if (!isLosslessNumber(index) || !/^-?[0-9]+$/.test(index.toString())) {
      throw new InvalidArgumentError(`event "ei" must be an integer`);
    }
    eventIndex = index.toString();
  }
  const sid = event["sid"];
  const sessionId = typeof sid === "string" && sid !== "" ? sid : (options.newSessionId ?? randomUUID)();
  const retention = options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS;
  const writtenAt = Math.floor((options.now ?? Date.now)() / 1000);
  return {
    SessionID: { S: sessionId },
    EventIndex: { N: eventIndex },
    EventType: { S: type },
    CreatedAt: { N: String(createdAt) },
    Expires: { N: String(writtenAt + retention) },
    FieldsMap: { M: jsonToMap(event) },
    EventNamespace: { S: TELEPORT_TABLE.namespace },
    CreatedAtDate: { S: new Date(createdAt * 1000).toISOString().slice(0, 10) },
  };
}

export type ItemContent =
  | { kind: "event"; event: JsonObject }
  | { kind: "not-event"; reason: string }
  | { kind: "invalid"; reason: string };

/**
 * The audit event an item holds: FieldsMap (a native map) or, on older tables, Fields (a JSON string).
 * Chunk items (SessionID `CHUNK#...`) and items with neither are not events.
 */
export function eventFromItem(item: Item): ItemContent {
  const sessionId = item[TELEPORT_TABLE.hashKey];
  if (sessionId && "S" in sessionId && sessionId.S.startsWith(TELEPORT_TABLE.chunkPrefix)) {
    return { kind: "not-event", reason: "chunk item" };
  }
  const fieldsMap = item["FieldsMap"];
  if (fieldsMap !== undefined) {
    const members = mapMembers(fieldsMap);
    if (members === undefined) return { kind: "invalid", reason: "FieldsMap is not a map" };
    try {
      return { kind: "event", event: mapToJson(members) };
    } catch (err) {
      // A member type the SDK does not know: the record is unreadable, not the stream.
      if (!(err instanceof AttributeValueError)) throw err;
      return { kind: "invalid", reason: `FieldsMap holds a value that is not JSON: ${err.message}` };
    }
  }
  const fields = item["Fields"];
  if (fields !== undefined) {
    if (!("S" in fields)) return { kind: "invalid", reason: "Fields is not a string" };
    let parsed;
    try {
      parsed = parseJson(fields.S);
    } catch (err) {
      const why = err instanceof JsonTextError ? err.message : "not valid JSON";
      return { kind: "invalid", reason: `Fields: ${why}` };
    }
    if (!isJsonObject(parsed)) return { kind: "invalid", reason: "Fields is not a JSON object" };
    return { kind: "event", event: parsed };
  }
  return { kind: "not-event", reason: "item has neither FieldsMap nor Fields" };
}

/** Unix seconds of an RFC 3339 time (any number of fractional digits). */
function unixSeconds(time: unknown): number {
  if (typeof time !== "string") throw new InvalidArgumentError(`event has no "time"`);
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.exec(time);
  const ms = match ? Date.parse(`${match[1]}${match[3]}`) : NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`event "time" is not an RFC 3339 time`);
  return Math.floor(ms / 1000);
}
