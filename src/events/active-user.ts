import type { OneOf } from "../gen/events/events.js";
import { boolField, numberField, stringField } from "./event-field.js";
import { eventCode, eventTime, eventType } from "./metadata.js";

/** The one rule for who an event makes active (the product design's "Who is active"). */

/** Types with no top-level user (Teleport's events that are not UserMetadataGetters). */
const USERLESS_TYPES: ReadonlySet<string> = new Set([
  "app.session.request",
  "cert.create",
  "desktop.recording",
  "print",
  "session.upload",
  "session.connect",
  "unknown",
]);

const BOT_USER_KIND = 2;

export type UserKind = "human" | "bot";

/**
 * Teleport's UserMetadataGetter: the top-level `user`, or "" for the user-less types and for events
 * without a top-level string `user`.
 */
export function getUser(event: OneOf): string {
  if (USERLESS_TYPES.has(eventType(event))) return "";
  return stringField(event, "user") ?? "";
}

/**
 * Whether the event makes its user active at its time: it has a user, it is not a failed or denied
 * action (`success` is not false, the code does not end in W or E), and it has a time.
 */
export function isActive(event: OneOf): boolean {
  if (getUser(event) === "") return false;
  if (boolField(event, "success") === false) return false;
  const code = eventCode(event);
  if (code.endsWith("W") || code.endsWith("E")) return false;
  return eventTime(event) !== undefined;
}

/** Bots (`user_kind` 2, or a user named `bot-…`) are counted apart from humans. */
export function userKind(event: OneOf): UserKind {
  if (numberField(event, "user_kind") === BOT_USER_KIND) return "bot";
  return getUser(event).startsWith("bot-") ? "bot" : "human";
}
