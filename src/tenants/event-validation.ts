import { type Event, UserKind } from "../gen/tenants/tenants.js";
import { MAX_FIELD_LENGTH, MAX_ID_LENGTH } from "../sink/event-record.js";
import { ANONYMIZED_FORM, isAnonymized } from "./anonymized.js";
import { Problems, quote } from "./problems.js";
import { timeProblem, type TimeBounds } from "./time-bounds.js";

/** The protocols MAU is broken down by (DESIGN.md); "" is an event that counts towards none. */
export const PROTOCOLS: ReadonlySet<string> = new Set(["", "ssh", "kube", "db", "app", "desktop"]);

/**
 * The shape of an audit event type ("session.start", "windows.desktop.session.start"): a letter or digit,
 * then letters, digits, `.`, `_`, `-`, `:` or `/`, at most MAX_FIELD_LENGTH characters. Loose enough for
 * types this service has never heard of (they carry activity too), strict enough to refuse free text.
 */
export const EVENT_TYPE_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,${MAX_FIELD_LENGTH - 1}}$`);

/** A finer session kind ("k8s_port", "app_tcp", "ssh_port"), or "". */
export const SESSION_KIND_PATTERN = /^(?:[a-z0-9][a-z0-9_.-]{0,63})?$/;

/**
 * What is wrong with one event, each problem one message; empty when it can be stored. User and cluster
 * values are never quoted back: a reporter that failed to anonymize would see raw names in logs.
 */
export function eventProblems(event: Event, bounds: TimeBounds): string[] {
  const problems: string[] = [];
  if (event.id === "") problems.push("id is missing");
  else if (event.id.length > MAX_ID_LENGTH) problems.push(`id is longer than ${MAX_ID_LENGTH} characters`);
  const time = timeProblem(event.time, bounds);
  if (time !== undefined) problems.push(time);
  if (event.type === "") problems.push("type is missing");
  else if (!EVENT_TYPE_PATTERN.test(event.type)) {
    problems.push(
      `type ${quote(event.type)} is not an audit event type (a letter or digit, then letters, digits, ` +
        `'.', '_', '-', ':' or '/'; at most ${MAX_FIELD_LENGTH} characters)`,
    );
  }
  if (!isAnonymized(event.user)) problems.push(`user is not anonymized (expected ${ANONYMIZED_FORM})`);
  if (event.userKind === UserKind.USER_KIND_UNSPECIFIED) {
    problems.push("user_kind is unspecified (expected 1, human, or 2, bot)");
  } else if (event.userKind !== UserKind.USER_KIND_HUMAN && event.userKind !== UserKind.USER_KIND_BOT) {
    problems.push(`user_kind ${event.userKind} is unknown (expected 1, human, or 2, bot)`);
  }
  if (!PROTOCOLS.has(event.protocol)) {
    problems.push(
      `protocol ${quote(event.protocol)} is unknown (expected "", ssh, kube, db, app or desktop)`,
    );
  }
  if (!isAnonymized(event.cluster)) {
    problems.push(`cluster is not anonymized (expected ${ANONYMIZED_FORM})`);
  }
  if (!SESSION_KIND_PATTERN.test(event.sessionKind)) {
    problems.push(
      `session_kind ${quote(event.sessionKind)} is not a session kind (lower-case letters, digits, ` +
        `'_', '.' or '-', at most 64 characters, or empty)`,
    );
  }
  return problems;
}

/**
 * Validates a whole batch: it is stored wholly or not at all, so one bad event refuses it.
 * @throws InvalidArgumentError naming up to `maxReported` problems, each with the event's index and id
 */
export function validateEvents(events: readonly Event[], bounds: TimeBounds, maxReported: number): void {
  const problems = new Problems(maxReported);
  events.forEach((event, index) => {
    const where = event.id === "" ? `event ${index}` : `event ${index} (id ${quote(event.id)})`;
    for (const problem of eventProblems(event, bounds)) problems.add(`${where}: ${problem}`);
  });
  problems.throwIfAny(`events batch of ${events.length}`);
}
