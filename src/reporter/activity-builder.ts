import { InvalidArgumentError } from "../errors/errors.js";
import type { OneOf } from "../gen/events/events.js";
import { UserKind, type Event } from "../gen/tenants/tenants.js";
// The central side's bounds: an event past them would make it refuse the whole batch.
import { MAX_FIELD_LENGTH, MAX_ID_LENGTH } from "../sink/event-record.js";
import { activityOf } from "./activity.js";
import type { Anonymizer } from "./anonymizer/anonymizer.js";
import { contentId } from "./canonical-json.js";
import { toTimestamp } from "./timestamp.js";

/**
 * The record that crosses to the central side for an audit event, or null when the event does not make
 * its user active. Only these leave: the id, time, type, protocol and session kind, the user kind, and
 * the user and cluster names anonymized. Logins, addresses, resource names and every other field stay.
 *
 * @throws InvalidArgumentError when the event makes a user active but could not be stored: no valid
 *   time (it belongs to no month), or a type longer than the central side accepts. The central side
 *   would refuse the whole batch, so such an event is refused here, alone.
 */
export function buildActivityEvent(event: OneOf, anonymizer: Anonymizer): Event | null {
  const activity = activityOf(event);
  if (activity === null) return null;
  // A uid too long for the central side is replaced by the content id: still stable, so still idempotent.
  const id =
    activity.uid !== "" && activity.uid.length <= MAX_ID_LENGTH ? activity.uid : contentId(activity.json());
  const time = activity.time && toTimestamp(activity.time);
  if (time === undefined) {
    throw new InvalidArgumentError(
      `${describe(activity.type)} ${id} makes a user active but has no valid time`,
    );
  }
  if (activity.type.length > MAX_FIELD_LENGTH) {
    throw new InvalidArgumentError(`event ${id} has a type longer than ${MAX_FIELD_LENGTH} characters`);
  }
  return {
    id,
    time,
    type: activity.type,
    user: anonymizer.anonymize(activity.user),
    userKind: activity.kind === "bot" ? UserKind.USER_KIND_BOT : UserKind.USER_KIND_HUMAN,
    protocol: activity.protocol,
    cluster: anonymizer.anonymize(activity.cluster),
    sessionKind: activity.sessionKind,
  };
}

function describe(type: string): string {
  return type === "" ? "event" : type.length > 64 ? `${type.slice(0, 61)}...` : type;
}
