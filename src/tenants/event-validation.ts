import { eventProblems } from "../activity/event-rules.js";
import { quote } from "../text/quote.js";
import type { TimeBounds } from "../activity/time-bounds.js";
import type { Event } from "../gen/tenants/tenants.js";
import { Problems } from "./problems.js";

/**
 * Validates a whole batch against the shared event rules (src/activity/event-rules.ts): it is stored
 * wholly or not at all, so one bad event refuses it. The reporter checks each event with the same rules
 * before batching, so a refusal here means a reporter that does not, or clocks that disagree.
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
