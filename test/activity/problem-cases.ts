import { type Event, type UsageReport, UserKind } from "../../src/gen/tenants/tenants.js";
import { timestamp } from "./sample-activity.js";

/**
 * Each way a record can be wrong, with what the refusal must say; the clock is NOW_MS. Shared by the
 * rules' unit tests and the tenants service's loopback tests.
 */

export const EVENT_PROBLEMS: [name: string, overrides: Partial<Event>, message: string][] = [
  ["a missing id", { id: "" }, "id is missing"],
  ["an id too long", { id: "x".repeat(257) }, "id is longer than 256 characters"],
  ["a missing time", { time: undefined }, "time is missing"],
  ["a time too far in the future", { time: timestamp("2026-09-15T12:30:00Z") }, "is in the future"],
  ["a time before 2000", { time: timestamp("1999-12-31T00:00:00Z") }, "is before 2000-01-01"],
  ["bad nanos", { time: { seconds: 1_788_000_000n, nanos: 2_000_000_000 } }, "nanos"],
  ["a missing type", { type: "" }, "type is missing"],
  ["a type with spaces", { type: "session start" }, 'type "session start" is not an audit event type'],
  ["a type of free text", { type: "<script>" }, "is not an audit event type"],
  ["a type too long", { type: `a${".".repeat(256)}` }, "is not an audit event type"],
  ["a raw user name", { user: "alice@acme.com" }, "user is not anonymized"],
  ["an empty user", { user: "" }, "user is not anonymized"],
  ["an unspecified user kind", { userKind: UserKind.USER_KIND_UNSPECIFIED }, "user_kind is unspecified"],
  ["an unknown user kind", { userKind: 7 as UserKind }, "user_kind 7 is unknown"],
  ["an unknown protocol", { protocol: "rdp" }, 'protocol "rdp" is unknown'],
  ["an upper-case protocol", { protocol: "SSH" }, 'protocol "SSH" is unknown'],
  ["a raw cluster name", { cluster: "acme-prod.teleport.sh" }, "cluster is not anonymized"],
  [
    "a session kind of free text",
    { sessionKind: "K8s Port" },
    'session_kind "K8s Port" is not a session kind',
  ],
];

export const USAGE_PROBLEMS: [name: string, overrides: Partial<UsageReport>, message: string][] = [
  ["a missing time", { time: undefined }, "time is missing"],
  ["a future time", { time: timestamp("2027-01-01T00:00:00Z") }, "is in the future"],
  ["a time before 2000", { time: timestamp("1970-01-01T00:00:00Z") }, "is before 2000-01-01"],
  ["a raw cluster name", { cluster: "acme-prod.teleport.sh" }, "cluster is not anonymized"],
  ["a count above BIGINT", { servers: 1n << 63n }, "servers 9223372036854775808 is outside 0..2^63-1"],
];
