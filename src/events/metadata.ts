import type { OneOf } from "../gen/events/events.js";
import { planOfCase } from "./event-schema.js";
import { stringField, timeField } from "./event-field.js";
import { unwrapUnknown } from "./unknown-wrapper.js";

/** The fields every Teleport event shares (its `Metadata`), whichever variant holds the event. */

/**
 * The event type ("event"); for a typed event without one, the type its variant stands for; else "".
 * For an event Teleport could not type, its original type, not "unknown".
 */
export function eventType(event: OneOf): string {
  const type = stringField(event, "event");
  if (type !== undefined) return type;
  const variant = event.event;
  if (variant === undefined || unwrapUnknown(event) !== undefined) return "";
  return planOfCase(variant.$case).defaultType;
}

/** The event's unique id ("uid"); undefined when it has none (absent or empty). */
export function eventId(event: OneOf): string | undefined {
  const id = stringField(event, "uid");
  return id === "" ? undefined : id;
}

/** When the event happened ("time"); undefined when absent or not an RFC 3339 time. */
export function eventTime(event: OneOf): Date | undefined {
  return timeField(event, "time");
}

/** The event code ("code", e.g. "T2000I"); "" when absent. */
export function eventCode(event: OneOf): string {
  return stringField(event, "code") ?? "";
}

/** The name of the cluster that emitted the event ("cluster_name"); "" when absent. */
export function clusterName(event: OneOf): string {
  return stringField(event, "cluster_name") ?? "";
}
