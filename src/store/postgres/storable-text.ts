import { InvalidArgumentError } from "../../errors/errors.js";
import type { Event } from "../../gen/tenants/tenants.js";

/**
 * PostgreSQL text cannot hold NUL, and the driver sends strings as UTF-8, which turns a lone surrogate
 * into U+FFFD (so two different ids could store as one). Both are refused up front, so a batch is
 * rejected whole instead of failing mid-statement or being silently altered.
 */
/* eslint-disable no-control-regex */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/* eslint-enable no-control-regex */

export function checkStorableText(value: string, what: string): void {
  if (UNSTORABLE.test(value)) {
    throw new InvalidArgumentError(
      `${what} contains NUL or an unpaired surrogate, which PostgreSQL cannot store`,
    );
  }
}

const EVENT_TEXT = ["id", "type", "user", "protocol", "cluster", "sessionKind"] as const;

/**
 * Every text field of a batch's events, checked as above. One pass over the fields joined by a newline
 * (which neither matches nor pairs with a surrogate, so the joined text is unstorable exactly when a
 * field is); only a batch that fails is looked at field by field, for the message.
 */
export function checkEventsText(events: readonly Event[]): void {
  const joined = events.map((e) => EVENT_TEXT.map((name) => e[name]).join("\n")).join("\n");
  if (!UNSTORABLE.test(joined)) return;
  events.forEach((event, index) => {
    for (const name of EVENT_TEXT) {
      checkStorableText(event[name], `event ${index}: ${name === "sessionKind" ? "session_kind" : name}`);
    }
  });
}
