import type { OneOf } from "../gen/events/events.js";
import { LosslessNumber, type JsonObject, type JsonValue } from "../events/json.js";

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
  const user = getUser(event);
  if (user === "") return null;
  return {
    uid: eventId(event),
    time: eventTime(event),
    type: eventType(event),
    user,
    kind: userKind(event),
    protocol: protocolOf(event),
    sessionKind: sessionKind(event),
    cluster: clusterName(event),
    json: () => eventToJson(event),
  };
}

// TEMPORARY SHIM until the event rules land in src/events (getUser, isActive, userKind, protocolOf,
// sessionKind, eventId, eventTime, eventType, clusterName, eventToJson): the DESIGN.md rule, read from
// the raw fields. Delete everything below and import those functions instead.

interface Fields {
  uid: string;
  time: string;
  type: string;
  code: string;
  cluster: string;
  user: string;
  userKind: unknown;
  success: unknown;
  proto: string;
  kubernetesCluster: string;
  appUri: string;
}

function fields(e: OneOf): Fields {
  const c = e.event;
  if (c === undefined) return fieldsOf({});
  if (c.$case === "unstructured") return fieldsOf(c.value.data ?? {});
  const v = c.value as unknown as Record<string, Record<string, unknown> | undefined>;
  const m = v["metadata"] ?? {};
  const t = m["time"] as { seconds: bigint; nanos: number } | undefined;
  return fieldsOf({
    uid: m["id"],
    time: t ? new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)).toISOString() : undefined,
    event: m["type"],
    code: m["code"],
    cluster_name: m["clusterName"],
    user: v["user"]?.["user"],
    user_kind: v["user"]?.["userKind"],
    success: v["status"]?.["success"],
    proto: v["connection"]?.["protocol"],
    kubernetes_cluster: v["kubernetesCluster"]?.["kubernetesCluster"],
    app_uri: v["app"]?.["appUri"],
  });
}

function fieldsOf(d: Record<string, unknown>): Fields {
  const s = (k: string): string => (typeof d[k] === "string" ? d[k] : "");
  return {
    uid: s("uid"),
    time: s("time"),
    type: s("event"),
    code: s("code"),
    cluster: s("cluster_name"),
    user: s("user"),
    userKind: d["user_kind"],
    success: d["success"],
    proto: s("proto"),
    kubernetesCluster: s("kubernetes_cluster"),
    appUri: s("app_uri"),
  };
}

const USERLESS = new Set([
  "app.session.request",
  "cert.create",
  "desktop.recording",
  "print",
  "session.upload",
]);
const PROTOCOL: Record<string, string> = {
  "kube.request": "kube",
  sftp: "ssh",
  "db.session.start": "db",
  "app.session.start": "app",
  "windows.desktop.session.start": "desktop",
};

function getUser(e: OneOf): string {
  const f = fields(e);
  return USERLESS.has(f.type) || f.type === "session.connect" || f.type === "unknown" ? "" : f.user;
}

function isActive(e: OneOf): boolean {
  const f = fields(e);
  return getUser(e) !== "" && f.success !== false && !/[WE]$/.test(f.code);
}

function userKind(e: OneOf): "human" | "bot" {
  const f = fields(e);
  return Number(f.userKind) === 2 || f.user.startsWith("bot-") ? "bot" : "human";
}

function protocolOf(e: OneOf): string {
  const f = fields(e);
  if (f.type === "session.start") return f.kubernetesCluster !== "" ? "kube" : "ssh";
  if (f.type === "port") return f.proto === "kube" ? "kube" : "ssh";
  return PROTOCOL[f.type] ?? "";
}

function sessionKind(e: OneOf): string {
  const f = fields(e);
  if (f.type === "port") return f.proto === "kube" ? "k8s_port" : "ssh_port";
  if (f.type === "app.session.start" && f.appUri.startsWith("tcp://")) return "app_tcp";
  return "";
}

function eventId(e: OneOf): string {
  return fields(e).uid;
}

function eventTime(e: OneOf): Date | undefined {
  const time = fields(e).time;
  const date = new Date(time);
  return time === "" || Number.isNaN(date.getTime()) ? undefined : date;
}

function eventType(e: OneOf): string {
  return fields(e).type;
}

function clusterName(e: OneOf): string {
  return fields(e).cluster;
}

function eventToJson(e: OneOf): JsonValue {
  const c = e.event;
  if (c?.$case !== "unstructured") return toJson(c?.value ?? null);
  const json = toJson(c.value.data ?? {}) as JsonObject;
  for (const [pointer, digits] of Object.entries(c.value.exactNumbers)) {
    const path = pointer.split("/").slice(1);
    const last = path.pop();
    let at: JsonValue | undefined = json;
    for (const key of path) at = at !== null && typeof at === "object" ? (at as JsonObject)[key] : undefined;
    if (last !== undefined && at !== null && typeof at === "object") {
      (at as JsonObject)[last] = new LosslessNumber(digits);
    }
  }
  return json;
}

function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "bigint") return new LosslessNumber(String(value));
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toJson);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    if (v !== undefined) out[k] = toJson(v);
  return out;
}
