import { eventFromJson } from "../../events/codec.js";
import type { OneOf } from "../../gen/events/events.js";
import type { StreamRecord } from "./streams-client.js";
import { eventFromItem } from "./teleport-item.js";

export type DecodedRecord =
  | { kind: "event"; event: OneOf }
  /** Not an audit event (MODIFY, REMOVE, chunk items): passed over silently. */
  | { kind: "skip"; reason: string }
  /** Claims to be an event but cannot be read: passed over, logged and counted. */
  | { kind: "invalid"; reason: string };

/** Only INSERT records are audit events: Teleport never updates an event, and REMOVE is the TTL. */
export function decodeStreamRecord(record: StreamRecord): DecodedRecord {
  if (record.eventName !== "INSERT") return { kind: "skip", reason: `${record.eventName} record` };
  if (record.newImage === undefined) {
    return { kind: "invalid", reason: "INSERT record without NewImage (stream view type must be NEW_IMAGE)" };
  }
  const content = eventFromItem(record.newImage);
  if (content.kind === "not-event") return { kind: "skip", reason: content.reason };
  if (content.kind === "invalid") return content;
  try {
    return { kind: "event", event: eventFromJson(content.event) };
  } catch (err) {
    return { kind: "invalid", reason: err instanceof Error ? err.message : String(err) };
  }
}
