import type { OneOf } from "../gen/events/events.js";
import { planOfCase } from "./event-schema.js";
import { boolField, numberField, stringField } from "./event-field.js";
import { eventCode, eventTime } from "./metadata.js";
import { unwrapUnknown } from "./unknown-wrapper.js";

/** The one rule for who an event makes active (the product design's "Who is active"). */

const BOT_USER_KIND = 2;

export type UserKind = "human" | "bot";

/**
 * Teleport's UserMetadataGetter: the `User` of the event's embedded `UserMetadata` (its top-level `user`
 * key), or "" for the types without one (user-less: `print`, `cert.create`, a real `unknown` event, ...).
 * An event Teleport cannot type has its own top-level `user`, if any.
 */
export function getUser(event: OneOf): string {
  const variant = event.event;
  if (variant === undefined) return "";
  if (unwrapUnknown(event) === undefined && !planOfCase(variant.$case).hasUser) return "";
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
