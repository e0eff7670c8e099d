import { type Event, UserKind } from "../gen/tenants/tenants.js";
import { ANONYMIZED_FORM, isAnonymized } from "./anonymized.js";
import { PROTOCOLS } from "../events/protocol.js";
import { quote } from "../text/quote.js";
import { timeProblem, type TimeBounds } from "./time-bounds.js";

/**
 * What a valid `tenants.Event` is: the one definition the tenants service validates batches with and
 * the reporter checks each event with before batching. The service refuses a whole batch for one bad
 * event, so the reporter skips (and counts) such an event alone instead of sending it.
 *
 * Lengths keep one record well inside Timestream's 2 KB record limit (the values are hashes and names).
 */
export const MAX_ID_LENGTH = 256;
/** The longest type, and the longest any other string field the sinks store. */
export const MAX_FIELD_LENGTH = 256;
const MAX_SESSION_KIND_LENGTH = 64;

/** What an activity event's protocol may be: one MAU is broken down by, or "" for none. */
const SUBMITTED_PROTOCOLS: ReadonlySet<string> = new Set(["", ...PROTOCOLS]);
const EXPECTED_PROTOCOLS = `"", ${PROTOCOLS.slice(0, -1).join(", ")} or ${PROTOCOLS.at(-1)}`;

/**
 * The shape of an audit event type ("session.start", "windows.desktop.session.start"): a letter or digit,
 * then letters, digits, `.`, `_`, `-`, `:` or `/`, at most MAX_FIELD_LENGTH characters. Loose enough for
 * types the service has never heard of (they carry activity too), strict enough to refuse free text.
 */
export const EVENT_TYPE_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,${MAX_FIELD_LENGTH - 1}}$`);

/** A finer session kind ("k8s_port", "app_tcp", "ssh_port"), or "". */
export const SESSION_KIND_PATTERN = new RegExp(
  `^(?:[a-z0-9][a-z0-9_.-]{0,${MAX_SESSION_KIND_LENGTH - 1}})?$`,
);

/**
 * What is wrong with one event, each problem one message; empty when it can be stored. `bounds` are the
 * checking side's (see time-bounds.ts). User and cluster values are never quoted back: a reporter that
 * failed to anonymize would see raw names in logs.
 */
export function eventProblems(event: Event, bounds: TimeBounds): string[] {
  const problems: string[] = [];
  if (event.id === "") problems.push("id is missing");
  else if (event.id.length > MAX_ID_LENGTH) problems.push(`id is longer than ${MAX_ID_LENGTH} characters`);
  const time = timeProblem(event.time, bounds);
  if (time !== undefined) problems.push(time);
  const type = typeProblem(event.type);
  if (type !== undefined) problems.push(type);
  if (!isAnonymized(event.user)) problems.push(`user is not anonymized (expected ${ANONYMIZED_FORM})`);
  if (event.userKind === UserKind.USER_KIND_UNSPECIFIED) {
    problems.push("user_kind is unspecified (expected 1, human, or 2, bot)");
  } else if (event.userKind !== UserKind.USER_KIND_HUMAN && event.userKind !== UserKind.USER_KIND_BOT) {
    problems.push(`user_kind ${event.userKind} is unknown (expected 1, human, or 2, bot)`);
  }
  if (!SUBMITTED_PROTOCOLS.has(event.protocol)) {
    problems.push(`protocol ${quote(event.protocol)} is unknown (expected ${EXPECTED_PROTOCOLS})`);
  }
  if (!isAnonymized(event.cluster)) {
    problems.push(`cluster is not anonymized (expected ${ANONYMIZED_FORM})`);
  }
  if (!SESSION_KIND_PATTERN.test(event.sessionKind)) {
    problems.push(
      `session_kind ${quote(event.sessionKind)} is not a session kind (lower-case letters, digits, ` +
        `'_', '.' or '-', at most ${MAX_SESSION_KIND_LENGTH} characters, or empty)`,
    );
  }
  return problems;
}

function typeProblem(type: string): string | undefined {
  if (type === "") return "type is missing";
  if (type.length > MAX_FIELD_LENGTH) {
    return (
      `type ${quote(type)} is not an audit event type (${type.length} characters: ` +
      `a type longer than ${MAX_FIELD_LENGTH} characters is refused)`
    );
  }
  if (!EVENT_TYPE_PATTERN.test(type)) {
    return (
      `type ${quote(type)} is not an audit event type (a letter or digit, then letters, digits, ` +
      `'.', '_', '-', ':' or '/')`
    );
  }
  return undefined;
}
