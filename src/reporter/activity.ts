import { getUser, isActive, userKind } from "../events/active-user.js";
import { eventToJson } from "../events/codec.js";
import type { JsonValue } from "../events/json.js";
import { clusterName, eventId, eventTime, eventType } from "../events/metadata.js";
import { protocolOf, sessionKind } from "../events/protocol.js";
import type { OneOf } from "../gen/events/events.js";

/**
 * The reporter's one view of the event rules (src/events): what an event that makes its user active
 * says, before anonymization. Every use of the rules goes through here.
 */
export interface Activity {
  /** The audit event's uid, or "" when it has none. */
  uid: string;
  time: Date | undefined;
  /** The audit event type, e.g. "session.start". */
  type: string;
  /** The raw user name: anonymize before it leaves. */
  user: string;
  kind: "human" | "bot";
  /** "ssh", "kube", "db", "app", "desktop" or "". */
  protocol: string;
  /** "k8s_port", "app_tcp", "ssh_port"... or "". */
  sessionKind: string;
  /** The raw cluster name: anonymize before it leaves. */
  cluster: string;
  /** The event as Teleport's JSON, for the content id of an event without a uid. */
  json(): JsonValue;
}

/** The activity an event records, or null when it does not make its user active. */
export function activityOf(event: OneOf): Activity | null {
  if (!isActive(event)) return null;
  return {
    uid: eventId(event) ?? "",
    time: eventTime(event),
    type: eventType(event),
    user: getUser(event),
    kind: userKind(event),
    protocol: protocolOf(event),
    sessionKind: sessionKind(event),
    cluster: clusterName(event),
    json: () => eventToJson(event),
  };
}
