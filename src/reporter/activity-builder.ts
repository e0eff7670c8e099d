import { InvalidArgumentError } from "../errors/errors.js";
import type { OneOf } from "../gen/events/events.js";
import type { Timestamp } from "../gen/google/protobuf/timestamp.js";
import { UserKind, type Event } from "../gen/tenants/tenants.js";
import { activityOf } from "./activity.js";
import type { Anonymizer } from "./anonymizer/anonymizer.js";
import { contentId } from "./canonical-json.js";

/**
 * The record that crosses to the central side for an audit event, or null when the event does not make
 * its user active. Only these leave: the id, time, type, protocol and session kind, the user kind, and
 * the user and cluster names anonymized. Logins, addresses, resource names and every other field stay.
 *
 * @throws InvalidArgumentError when the event makes a user active but has no valid time (it could not
 *   be placed in any month; the central side would refuse it)
 */
export function buildActivityEvent(event: OneOf, anonymizer: Anonymizer): Event | null {
  const activity = activityOf(event);
  if (activity === null) return null;
  const id = activity.uid !== "" ? activity.uid : contentId(activity.json());
  if (activity.time === undefined) {
    throw new InvalidArgumentError(`${activity.type || "event"} ${id} makes a user active but has no time`);
  }
  return {
    id,
    time: toTimestamp(activity.time),
    type: activity.type,
    user: anonymizer.anonymize(activity.user),
    userKind: activity.kind === "bot" ? UserKind.USER_KIND_BOT : UserKind.USER_KIND_HUMAN,
    protocol: activity.protocol,
    cluster: anonymizer.anonymize(activity.cluster),
    sessionKind: activity.sessionKind,
  };
}

function toTimestamp(date: Date): Timestamp {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
