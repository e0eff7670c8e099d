import fc from "fast-check";
import { type Event, UserKind } from "../../../src/gen/tenants/tenants.js";
import { DAY_MS } from "../../../src/mau/calendar.js";
import { sampleEvent, timestamp } from "../sample-events.js";

/**
 * A random activity event of tenant acme or globex, paired with its tenant, on one of `days` UTC days
 * from `firstDay` (epoch ms of a day start): times anywhere in the day, often at its first or last
 * millisecond; users with none among them, every user kind, protocols with none among them. Ids come
 * from a small pool (`e0`..`e{maxId}`), so they repeat within and across batches, as re-sent events and
 * reused ids do (the same id at another time is another Timestream record, stored as such).
 */
export function randomActivity(firstDay: number, days: number, maxId: number): fc.Arbitrary<[string, Event]> {
  return fc
    .record({
      tenant: fc.constantFrom("acme", "globex"),
      id: fc.integer({ min: 0, max: maxId }),
      day: fc.integer({ min: 0, max: days - 1 }),
      offset: fc.oneof(fc.constantFrom(0, DAY_MS - 1), fc.integer({ min: 0, max: DAY_MS - 1 })),
      user: fc.constantFrom("", "u1", "u2", "u3"),
      userKind: fc.constantFrom(
        UserKind.USER_KIND_UNSPECIFIED,
        UserKind.USER_KIND_HUMAN,
        UserKind.USER_KIND_BOT,
      ),
      protocol: fc.constantFrom("", "ssh", "kube"),
    })
    .map(({ tenant, id, day, offset, ...fields }): [string, Event] => [
      tenant,
      sampleEvent({
        ...fields,
        id: `e${id}`,
        time: timestamp(new Date(firstDay + day * DAY_MS + offset).toISOString()),
      }),
    ]);
}
