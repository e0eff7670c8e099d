import { ENUMS, MESSAGES, type SchemaField } from "../gen/events/teleport-schema.js";
import { SCALAR_CODECS, listCodec, mapCodec, type KindCodec, type ScalarKind } from "./field-kinds.js";
import { isLooseObject, type LooseJson, type LooseObject } from "./loose-json.js";

/**
 * How each message of Teleport's package `events` maps to Teleport's JSON, built once from the generated
 * facts table (src/gen/events/teleport-schema.ts): every JSON key with the typed field that holds it,
 * through embedded messages flattened the way Go's encoding/json flattens them. A message added to the
 * tables needs no code here.
 */

/** A generated message, accessed by property name. */
export type Bag = Record<string, unknown>;

/** One JSON key of a message and the typed field that holds it. */
export interface Slot {
  readonly key: string;
  readonly codec: KindCodec;
  /** Teleport's name of the field, e.g. "UserMetadata.User". */
  readonly field: string;
  /** The field as the facts table has it. */
  readonly schema: SchemaField;
  /** The typed value; undefined when unset. */
  get(message: Bag): unknown;
  /** Sets the typed value, creating embedded messages on the way; false when a oneof already holds another. */
  set(message: Bag, value: unknown): boolean;
}

/** Consecutive slots of one embedded message (or of the message's own fields, `embedded` undefined). */
export interface SlotGroup {
  /** The property of the embedded message all these slots read through. */
  readonly embedded: string | undefined;
  readonly slots: readonly Slot[];
  /** Whether one of them is the "event" key (the type). */
  readonly holdsType: boolean;
}

export interface MessagePlan {
  readonly name: string;
  /** In the order Teleport's JSON has the keys (its Go struct order, embedded messages in place). */
  readonly slots: readonly Slot[];
  /** The same slots by embedded message, so a writer can pass over an absent one at once. */
  readonly groups: readonly SlotGroup[];
  readonly byKey: ReadonlyMap<string, Slot>;
  /** An empty message as the generated encoder expects it (repeated and map fields present). */
  create(): Bag;
  /** The message as a JSON object of its own (a field that is not embedded): it fits only whole. */
  readonly codec: KindCodec;
}

/** Never fits: for fields of types the tables do not describe, whose JSON stays in extras. */
const OPAQUE: KindCodec = { read: () => undefined, write: () => undefined };

const SCALAR_TYPES: { readonly [type: string]: ScalarKind } = {
  string: "string",
  bool: "bool",
  int32: "int32",
  sint32: "int32",
  sfixed32: "int32",
  uint32: "uint32",
  fixed32: "uint32",
  int64: "int64",
  sint64: "int64",
  sfixed64: "int64",
  uint64: "uint64",
  fixed64: "uint64",
  bytes: "bytes",
  "google.protobuf.Timestamp": "timestamp",
  "google.protobuf.Struct": "struct",
  // Teleport's Go code holds these as plain pointers to numbers, so JSON has a number.
  "google.protobuf.UInt32Value": "uint32",
  "google.protobuf.UInt64Value": "uint64",
  "wrappers.LabelValues": "labelValues",
  // Enums are Go integers in Teleport's JSON.
  "teleport.accesslist.v1.MembershipKind": "int32",
};

const MAP_TYPE = /^map<\s*(\S+?)\s*,\s*(\S+?)\s*>$/;

const plans = new Map<string, MessagePlan>();

/** The plan of a message of package `events` ("Status", "CassandraBatch.BatchChild"). @throws Error if none */
export function planOf(name: string): MessagePlan {
  let plan = plans.get(name);
  if (plan === undefined) {
    plan = buildPlan(name);
    plans.set(name, plan);
  }
  return plan;
}

function fieldsOf(name: string): readonly SchemaField[] {
  const fields = MESSAGES[name];
  if (fields === undefined) throw new Error(`no message events.${name}`);
  return fields;
}

function typeCodec(type: string): KindCodec {
  const scalar = SCALAR_TYPES[type];
  if (scalar !== undefined) return SCALAR_CODECS[scalar];
  if (type.startsWith("events.")) {
    const name = type.slice("events.".length);
    if (ENUMS[name] !== undefined) return SCALAR_CODECS.int32;
    fieldsOf(name);
    // Resolved on first use, so messages may refer to each other in any order.
    return {
      read: (value) => planOf(name).codec.read(value),
      write: (value, flags) => planOf(name).codec.write(value, flags),
    };
  }
  throw new Error(`no JSON mapping for field type ${type}`);
}

function fieldCodec(field: SchemaField): KindCodec {
  if (field.opaque === true) return OPAQUE;
  const map = MAP_TYPE.exec(field.type);
  if (map !== null) {
    if (map[1] !== "string") throw new Error(`map key type ${map[1]} not supported`);
    return mapCodec(typeCodec(map[2] as string));
  }
  const codec = typeCodec(field.type);
  return field.repeated === true ? listCodec(codec) : codec;
}

interface Hop {
  readonly prop: string;
  readonly message: string;
}

interface Candidate {
  readonly key: string;
  readonly depth: number;
  readonly path: readonly Hop[];
  readonly field: SchemaField;
  readonly message: string;
}

function flatten(name: string, depth: number, path: readonly Hop[], out: Candidate[]): void {
  for (const field of fieldsOf(name)) {
    if (field.embedded === true) {
      const inner = field.type.slice("events.".length);
      flatten(inner, depth + 1, [...path, { prop: field.prop, message: inner }], out);
    } else if (field.json !== undefined) {
      out.push({ key: field.json, depth, path, field, message: name });
    }
  }
}

/**
 * Go's rule for the keys of embedded structs: the least nested field with a key wins; two at that same
 * depth cancel out, and Teleport's JSON then has no such key (it stays in extras here).
 */
function resolveKeys(candidates: readonly Candidate[]): Candidate[] {
  const byKey = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    const list = byKey.get(candidate.key);
    if (list === undefined) byKey.set(candidate.key, [candidate]);
    else list.push(candidate);
  }
  const winners: Candidate[] = [];
  for (const candidate of candidates) {
    const rivals = byKey.get(candidate.key) as Candidate[];
    const least = Math.min(...rivals.map((rival) => rival.depth));
    const atLeast = rivals.filter((rival) => rival.depth === least);
    if (atLeast.length === 1 && atLeast[0] === candidate) winners.push(candidate);
  }
  return winners;
}

function leafAccess(field: SchemaField): Pick<Slot, "get" | "set"> {
  const prop = field.prop;
  if (field.opaque === true) return { get: () => undefined, set: () => false };
  const oneof = field.oneof;
  if (oneof === undefined) {
    return {
      get: (message) => message[prop],
      set: (message, value) => {
        message[prop] = value;
        return true;
      },
    };
  }
  return {
    get: (message) => {
      const held = message[oneof] as { $case: string; value: unknown } | undefined;
      return held?.$case === prop ? held.value : undefined;
    },
    set: (message, value) => {
      if (message[oneof] !== undefined) return false;
      message[oneof] = { $case: prop, value };
      return true;
    },
  };
}

function slotOf(candidate: Candidate): Slot {
  const leaf = leafAccess(candidate.field);
  const hops = candidate.path.map((hop) => {
    let plan: MessagePlan | undefined;
    // Resolved on first use, like typeCodec: the plans of embedded messages are built lazily.
    return { prop: hop.prop, create: () => (plan ??= planOf(hop.message)).create() };
  });
  const base = {
    key: candidate.key,
    codec: fieldCodec(candidate.field),
    field: `${candidate.message}.${candidate.field.name}`,
    schema: candidate.field,
  };
  if (hops.length === 0) return { ...base, ...leaf };
  if (hops.length === 1) {
    const { prop, create } = hops[0] as (typeof hops)[number];
    return {
      ...base,
      get: (message) => {
        const inner = message[prop] as Bag | undefined;
        return inner === undefined ? undefined : leaf.get(inner);
      },
      set: (message, value) => {
        let inner = message[prop] as Bag | undefined;
        if (inner === undefined) message[prop] = inner = create();
        return leaf.set(inner, value);
      },
    };
  }
  return {
    ...base,
    get: (message) => {
      let current: Bag | undefined = message;
      for (const hop of hops) {
        current = current[hop.prop] as Bag | undefined;
        if (current === undefined) return undefined;
      }
      return leaf.get(current);
    },
    set: (message, value) => {
      let current = message;
      for (const hop of hops) {
        let inner = current[hop.prop] as Bag | undefined;
        if (inner === undefined) current[hop.prop] = inner = hop.create();
        current = inner;
      }
      return leaf.set(current, value);
    },
  };
}

function buildPlan(name: string): MessagePlan {
  const fields = fieldsOf(name);
  const candidates: Candidate[] = [];
  flatten(name, 0, [], candidates);
  const winners = resolveKeys(candidates);
  const slots = winners.map(slotOf);
  const groups: { embedded: string | undefined; slots: Slot[]; holdsType: boolean }[] = [];
  winners.forEach((candidate, i) => {
    const embedded = candidate.path[0]?.prop;
    const last = groups.at(-1);
    const slot = slots[i] as Slot;
    if (last !== undefined && last.embedded === embedded) {
      last.slots.push(slot);
      last.holdsType ||= slot.key === "event";
    } else {
      groups.push({ embedded, slots: [slot], holdsType: slot.key === "event" });
    }
  });
  const byKey = new Map(slots.map((slot) => [slot.key, slot]));
  const lists = fields
    .filter((f) => f.repeated === true && f.oneof === undefined && f.opaque !== true)
    .map((f) => f.prop);
  const maps = fields.filter((f) => MAP_TYPE.test(f.type)).map((f) => f.prop);
  const create = (): Bag => {
    const message: Bag = {};
    for (const prop of lists) message[prop] = [];
    for (const prop of maps) message[prop] = {};
    return message;
  };
  const codec: KindCodec = {
    read(value) {
      if (!isLooseObject(value)) return undefined;
      const message = create();
      for (const key of Object.keys(value)) {
        const slot = byKey.get(key);
        if (slot === undefined) return undefined;
        const typed = slot.codec.read(value[key] as LooseJson);
        if (typed === undefined || !slot.set(message, typed)) return undefined;
      }
      return message;
    },
    write(value, flags) {
      const message = value as Bag;
      const out: LooseObject = {};
      for (const group of groups) {
        if (group.embedded !== undefined && message[group.embedded] === undefined) continue;
        for (const slot of group.slots) {
          const typed = slot.get(message);
          if (typed === undefined) continue;
          const json = slot.codec.write(typed, flags);
          if (json !== undefined) out[slot.key] = json;
        }
      }
      return out;
    },
  };
  return { name, slots, groups, byKey, create, codec };
}
