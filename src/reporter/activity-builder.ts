import { ANONYMIZED_FORM, isAnonymized } from "../activity/anonymized.js";
import { eventProblems, MAX_ID_LENGTH } from "../activity/event-rules.js";
import { timeBounds } from "../activity/time-bounds.js";
import { InternalError, InvalidArgumentError } from "../errors/errors.js";
import type { OneOf } from "../gen/events/events.js";
import { UserKind, type Event } from "../gen/tenants/tenants.js";
import { activityOf } from "./activity.js";
import type { Anonymizer } from "./anonymizer/anonymizer.js";
import { contentId } from "./canonical-json.js";
import { toTimestamp } from "./timestamp.js";

/**
 * An event that makes a user active but that the tenants service would refuse, and with it the whole
 * batch: the reporter skips it alone. `problems` never quote the user or cluster.
 */
export class RefusedActivityEventError extends InvalidArgumentError {
  constructor(
    message: string,
    readonly eventId: string,
    readonly problems: readonly string[],
  ) {
    super(message);
  }
}

/**
 * The record that crosses to the central side for an audit event, or null when the event does not make
 * its user active. Only these leave: the id, time, type, protocol and session kind, the user kind, and
 * the user and cluster names anonymized. Logins, addresses, resource names and every other field stay.
 *
 * The record is checked with the tenants service's own rules (src/activity/event-rules.ts), the time
 * window's future bound taken from `nowMs`, this side's clock at build time.
 *
 * @throws RefusedActivityEventError (an InvalidArgumentError) when the event makes a user active but the
 *   service would refuse it: no time a Timestamp can hold, a time before 2000 or over 15 minutes ahead
 *   of `nowMs`, a type that is not an audit event type, an unknown session kind
 * @throws InternalError when the anonymizer's output is not base64(HMAC-SHA256): every event would be
 *   refused, so this is a broken anonymizer to stop for, not an event to skip
 */
export function buildActivityEvent(event: OneOf, anonymizer: Anonymizer, nowMs = Date.now()): Event | null {
  const activity = activityOf(event);
  if (activity === null) return null;
  // A uid too long for the central side is replaced by the content id: still stable, so still idempotent.
  const id =
    activity.uid !== "" && activity.uid.length <= MAX_ID_LENGTH ? activity.uid : contentId(activity.json());
  const time = activity.time && toTimestamp(activity.time);
  if (time === undefined) {
    throw new RefusedActivityEventError(
      `${describe(activity.type)} ${id} makes a user active but has no valid time`,
      id,
      ["time is missing or outside the years 1..9999"],
    );
  }
  const built: Event = {
    id,
    time,
    type: activity.type,
    user: anonymizer.anonymize(activity.user),
    userKind: activity.kind === "bot" ? UserKind.USER_KIND_BOT : UserKind.USER_KIND_HUMAN,
    protocol: activity.protocol,
    cluster: anonymizer.anonymize(activity.cluster),
    sessionKind: activity.sessionKind,
  };
  if (!isAnonymized(built.user) || !isAnonymized(built.cluster)) {
    throw new InternalError(
      `the anonymizer's output is not anonymized (expected ${ANONYMIZED_FORM}): the tenants service ` +
        `would refuse every event, so the reporter stops rather than skip them`,
    );
  }
  const problems = eventProblems(built, timeBounds(nowMs));
  if (problems.length > 0) {
    throw new RefusedActivityEventError(
      `event ${id} makes a user active but the tenants service would refuse it, and its whole batch: ` +
        problems.join("; "),
      id,
      problems,
    );
  }
  return built;
}

function describe(type: string): string {
  return type === "" ? "event" : type.length > 64 ? `${type.slice(0, 61)}...` : type;
}
