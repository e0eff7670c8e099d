import type { OneOf } from "../gen/events/events.js";
import type { Kind, KindTypes } from "./field-kinds.js";

/**
 * The machinery of the declarative mapping tables: one entry per JSON key, type-checked against the
 * generated message (the named property must hold exactly the kind's type), flattened through embedded
 * metadata messages the way Teleport flattens them in JSON.
 */

/** One JSON key of an event and the typed field that holds it. */
export interface Entry<M> {
  readonly key: string;
  readonly kind: Kind;
  /** The typed value, undefined when unset. */
  get(message: M): unknown;
  /** Sets the typed value (of the entry's kind), creating embedded messages on the way. */
  set(message: M, value: unknown): void;
}

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** The properties of M whose (defined) type is exactly T. */
type PropsOfType<M, T> = {
  [P in keyof M]-?: Equals<Exclude<M[P], undefined>, T> extends true ? P : never;
}[keyof M];

export interface TableBuilder<M> {
  /** JSON `key` ↔ property `prop`, which must have exactly the type of `kind`. */
  field<K extends Kind>(key: string, kind: K, prop: PropsOfType<M, KindTypes[K]>): Entry<M>;
  /** The entries of an embedded message `prop`, flattened into this one (created with `create`). */
  embed<S>(prop: PropsOfType<M, S>, create: () => S, entries: readonly Entry<S>[]): Entry<M>[];
}

type Bag = Record<PropertyKey, unknown>;

function builder<M>(): TableBuilder<M> {
  return {
    field(key, kind, prop) {
      return {
        key,
        kind,
        get: (message) => (message as Bag)[prop],
        set: (message, value) => {
          (message as Bag)[prop] = value;
        },
      };
    },
    embed<S>(prop: PropsOfType<M, S>, create: () => S, entries: readonly Entry<S>[]): Entry<M>[] {
      return entries.map((inner) => ({
        key: inner.key,
        kind: inner.kind,
        get: (message) => {
          const embedded = (message as Bag)[prop] as S | undefined;
          return embedded === undefined ? undefined : inner.get(embedded);
        },
        set: (message, value) => {
          let embedded = (message as Bag)[prop] as S | undefined;
          if (embedded === undefined) {
            embedded = create();
            (message as Bag)[prop] = embedded;
          }
          inner.set(embedded, value);
        },
      }));
    },
  };
}

/** A table of entries for message M, in the order Teleport writes the keys. */
export function table<M>(
  define: (b: TableBuilder<M>) => readonly (Entry<M> | readonly Entry<M>[])[],
): Entry<M>[] {
  const entries: Entry<M>[] = [];
  for (const item of define(builder<M>())) {
    if (Array.isArray(item)) entries.push(...(item as readonly Entry<M>[]));
    else entries.push(item as Entry<M>);
  }
  return entries;
}

export type EventCase = NonNullable<OneOf["event"]>["$case"];
export type TypedCase = Exclude<EventCase, "unstructured">;
export type EventMessage<C extends EventCase> = Extract<NonNullable<OneOf["event"]>, { $case: C }>["value"];
export type TypedMessage = EventMessage<TypedCase>;

/** How one event type maps between Teleport JSON and its typed message. */
export interface EventSpec<C extends TypedCase = TypedCase> {
  /** Teleport's event type, the "event" key. */
  readonly type: string;
  readonly $case: C;
  readonly create: () => EventMessage<C>;
  readonly entries: readonly Entry<EventMessage<C>>[];
  readonly byKey: ReadonlyMap<string, Entry<EventMessage<C>>>;
}

export function eventSpec<C extends TypedCase>(
  type: string,
  $case: C,
  create: () => EventMessage<C>,
  define: (
    b: TableBuilder<EventMessage<C>>,
  ) => readonly (Entry<EventMessage<C>> | readonly Entry<EventMessage<C>>[])[],
): EventSpec<C> {
  const entries = table(define);
  const byKey = new Map<string, Entry<EventMessage<C>>>();
  for (const entry of entries) {
    if (byKey.has(entry.key)) throw new Error(`${type}: JSON key ${entry.key} mapped twice`);
    byKey.set(entry.key, entry);
  }
  return { type, $case, create, entries, byKey };
}
