import { MAX_FIELD_LENGTH, MAX_ID_LENGTH } from "../activity/event-rules.js";
import { InvalidArgumentError } from "../errors/errors.js";
import { type Event, UserKind } from "../gen/tenants/tenants.js";
import { timestampMicros } from "./timestamp.js";

/** An activity event as both sinks store it: validated, time in epoch microseconds. */
export interface EventRecord {
  id: string;
  timeMicros: bigint;
  type: string;
  user: string;
  userKind: UserKind;
  protocol: string;
  cluster: string;
  sessionKind: string;
}

/**
 * Bounds keep one record well inside Timestream's 2 KB record limit (the values are hashes and names);
 * the id and field bounds are the shared event rules' (src/activity/event-rules.ts).
 */
export const MAX_TENANT_LENGTH = 128;

const KNOWN_USER_KINDS: ReadonlySet<number> = new Set([
  UserKind.USER_KIND_UNSPECIFIED,
  UserKind.USER_KIND_HUMAN,
  UserKind.USER_KIND_BOT,
]);

export function validateTenant(tenant: string): void {
  if (tenant.length === 0) throw new InvalidArgumentError("tenant must not be empty");
  if (tenant.length > MAX_TENANT_LENGTH) {
    throw new InvalidArgumentError(`tenant is longer than ${MAX_TENANT_LENGTH} characters`);
  }
}

/**
 * Validates a batch and drops repeated ids, keeping the first occurrence (what the DuckDB primary key
 * does across batches, applied within one). The whole batch is rejected if any event is invalid, so a
 * bad event never leaves a partially stored batch behind.
 */
export function toEventRecords(events: readonly Event[]): EventRecord[] {
  const seen = new Set<string>();
  const records: EventRecord[] = [];
  events.forEach((event, index) => {
    const what = `event ${index}`;
    if (event.id.length === 0) throw new InvalidArgumentError(`${what}: id is required`);
    checkLength(event.id, MAX_ID_LENGTH, `${what}: id`);
    const timeMicros = timestampMicros(event.time, what);
    for (const [name, value] of [
      ["type", event.type],
      ["user", event.user],
      ["protocol", event.protocol],
      ["cluster", event.cluster],
      ["session_kind", event.sessionKind],
    ] as const) {
      checkLength(value, MAX_FIELD_LENGTH, `${what}: ${name}`);
    }
    if (!KNOWN_USER_KINDS.has(event.userKind)) {
      throw new InvalidArgumentError(`${what}: unknown user_kind ${event.userKind}`);
    }
    if (seen.has(event.id)) return;
    seen.add(event.id);
    records.push({
      id: event.id,
      timeMicros,
      type: event.type,
      user: event.user,
      userKind: event.userKind,
      protocol: event.protocol,
      cluster: event.cluster,
      sessionKind: event.sessionKind,
    });
  });
  return records;
}

function checkLength(value: string, max: number, what: string): void {
  if (value.length > max) throw new InvalidArgumentError(`${what} is longer than ${max} characters`);
}
