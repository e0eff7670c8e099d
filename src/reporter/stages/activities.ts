import { InvalidArgumentError } from "../../errors/errors.js";
import type { StreamEvent } from "../../gen/auth/auth.js";
import type { Event } from "../../gen/tenants/tenants.js";
import { buildActivityEvent } from "../activity-builder.js";
import type { Anonymizer } from "../anonymizer/anonymizer.js";
import type { OnRefused } from "./refusals.js";

/** A stream event as the batches see it; `cursor` is "" when it is not a checkpoint. */
export type Consumed =
  | { kind: "activity"; event: Event; cursor: string }
  /** An audit event that makes nobody active, or one refused: it counts towards an idle checkpoint. */
  | { kind: "filtered"; cursor: string }
  /** A checkpoint that carries no event: it only moves the position. */
  | { kind: "checkpoint"; cursor: string };

export interface ActivityStageOptions {
  anonymizer: Anonymizer;
  /** Wall clock, epoch ms, for the service's time window (see ReporterOptions.now). */
  now: () => number;
  /** Called for every audit event read (a checkpoint that carries no event is not one). */
  onConsumed: () => void;
  onRefused: OnRefused;
}

/**
 * Keeps the events that make a user active, as anonymized activity events; an event the tenants service
 * would refuse is skipped alone (through `onRefused`) so it cannot make the service refuse its batch.
 */
export async function* activities(
  events: AsyncIterable<StreamEvent>,
  options: ActivityStageOptions,
): AsyncGenerator<Consumed> {
  const { anonymizer, now, onConsumed, onRefused } = options;
  for await (const { event, cursor } of events) {
    if (event === undefined) {
      yield { kind: "checkpoint", cursor };
      continue;
    }
    onConsumed();
    let activity: Event | null;
    try {
      activity = buildActivityEvent(event, anonymizer, now());
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      onRefused(err, "invalid");
      activity = null;
    }
    yield activity === null ? { kind: "filtered", cursor } : { kind: "activity", event: activity, cursor };
  }
}
