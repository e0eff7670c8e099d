import type { OneOf } from "../gen/events/events.js";
import { EVENT_TYPES, ONEOF_VARIANTS } from "../gen/events/teleport-schema.js";
import { planOf, type MessagePlan } from "./message-plan.js";

/**
 * Teleport's events as the codec sees them: each OneOf variant with its message's plan, and Teleport's
 * map from event type string to message (its server's `FromEventFields`). Everything here comes from the
 * generated facts table.
 */

export type EventCase = NonNullable<OneOf["event"]>["$case"];

export interface EventPlan extends MessagePlan {
  readonly $case: EventCase;
  /** The type a hand-built event of this variant stands for when it has none ("" when Teleport has none). */
  readonly defaultType: string;
  /** Whether the event has Teleport's `UserMetadata` embedded (is a UserMetadataGetter), its user at "user". */
  readonly hasUser: boolean;
}

/** Teleport's type and code for an event its server cannot type (`events.UnknownEvent`, `UnknownCode`). */
export const UNKNOWN_TYPE = "unknown";
export const UNKNOWN_CODE = "TCC00E";

const typeToMessage = new Map(EVENT_TYPES);
const firstTypeOf = new Map<string, string>();
for (const [type, message] of EVENT_TYPES) if (!firstTypeOf.has(message)) firstTypeOf.set(message, type);

const plansByCase = new Map<string, EventPlan>();
const plansByMessage = new Map<string, EventPlan>();
for (const variant of ONEOF_VARIANTS) {
  const plan = planOf(variant.message);
  const eventPlan: EventPlan = {
    ...plan,
    $case: variant.case,
    defaultType: firstTypeOf.get(variant.message) ?? "",
    hasUser: plan.byKey.get("user")?.field === "UserMetadata.User",
  };
  plansByCase.set(variant.case, eventPlan);
  plansByMessage.set(variant.message, eventPlan);
}

/** Every event type string Teleport's server types. */
export const TYPED_EVENT_TYPES: readonly string[] = EVENT_TYPES.map(([type]) => type);

/** The plan of the message Teleport's server types `type` as; undefined for a type it does not know. */
export function planOfType(type: string): EventPlan | undefined {
  const message = typeToMessage.get(type);
  return message === undefined ? undefined : plansByMessage.get(message);
}

export function planOfCase($case: EventCase): EventPlan {
  return plansByCase.get($case) as EventPlan;
}

/** Every variant's plan, in OneOf order. */
export function eventPlans(): readonly EventPlan[] {
  return [...plansByCase.values()];
}
