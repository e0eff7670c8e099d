#!/usr/bin/env node
// Writes the events wire format from the facts in data/teleport/ (Teleport's event interface as tables):
//
//   node scripts/generate-events-proto.mjs           proto/events/events.proto and the two small files of
//                                                    the other packages it refers to
//   node scripts/generate-events-proto.mjs --schema  src/gen/events/teleport-schema.ts, the table the codec
//                                                    reads (after `buf generate`, which empties src/gen)
//
// `npm run generate` runs both around `buf generate`. Output depends only on the tables, so CI can check
// that the committed files are up to date.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DATA = join(ROOT, "data", "teleport");

/** Teleport's sources of the tables (data/teleport/README.md). */
const EVENTS_PROTO_COMMIT = "0009d93e0b73c594682a7b5adeff3c0ef79c6350";
const EVENT_TYPES_COMMIT = "03792765ba1599930b5184c7395aff8e1398fd68";

/**
 * The project's extras field in every event message. Teleport's highest field number in any event
 * message is 34; 2047 leaves it room to grow, is the largest number whose tag still takes two bytes, and
 * is far below protobuf's reserved 19000-19999.
 */
const EXTRA_FIELD_NUMBER = 2047;

/** Resources of Teleport's package `types`: their fields are not in the tables, so they stay opaque. */
const OPAQUE_TYPES = new Set(["types.LockTarget", "types.SAMLConnectorV2"]);

const SCALARS = new Set([
  "double",
  "float",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "sint32",
  "sint64",
  "fixed32",
  "fixed64",
  "sfixed32",
  "sfixed64",
  "bool",
  "string",
  "bytes",
]);

const IMPORTS = {
  "google.protobuf.Struct": "google/protobuf/struct.proto",
  "google.protobuf.Timestamp": "google/protobuf/timestamp.proto",
  "google.protobuf.UInt32Value": "google/protobuf/wrappers.proto",
  "google.protobuf.UInt64Value": "google/protobuf/wrappers.proto",
  "wrappers.LabelValues": "wrappers/wrappers.proto",
  "teleport.accesslist.v1.MembershipKind": "teleport/accesslist/v1/accesslist.proto",
};

function readTsv(name) {
  const lines = readFileSync(join(DATA, name), "utf8")
    .split("\n")
    .filter((line) => line !== "");
  const columns = lines[0].split("\t");
  return lines.slice(1).map((line) => {
    const cells = line.split("\t");
    return Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? ""]));
  });
}

/** Go-style name to lower snake case: AWSRoleARN -> aws_role_arn, RequestedResourceIDs -> ..._ids. */
function snake(name) {
  const words = name.match(/[A-Z]{2,}s(?![a-z])|[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+|\d+/g) ?? [name];
  return words.join("_").toLowerCase();
}

/** The property name ts-proto gives a field (its snakeToCamel, applied to names with an underscore). */
function tsProperty(snakeName) {
  if (!snakeName.includes("_")) return snakeName;
  return snakeName
    .split("_")
    .map((word, i) => (i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join("");
}

/** Teleport's JSON key of a field: the tag's name, or the field name itself for `-`. */
function jsonKey(row) {
  if (row.embedded === "embed") return undefined;
  if (row.json_tag === "-") return row.field;
  return row.json_tag.split(",")[0];
}

function loadFacts() {
  const messages = new Map();
  for (const row of readTsv("events-wire.tsv")) {
    if (!messages.has(row.message)) messages.set(row.message, []);
    messages.get(row.message).push(row);
  }
  const enums = new Map();
  for (const row of readTsv("events-enums.tsv")) {
    if (!enums.has(row.enum)) enums.set(row.enum, []);
    enums.get(row.enum).push([row.value, Number(row.number)]);
  }
  // Messages the tables name as a type but list no field of (they have none).
  for (const rows of [...messages.values()]) {
    for (const row of rows) {
      const type = valueType(row.type);
      if (type.startsWith("events.") && !messages.has(type.slice(7)) && !enums.has(type.slice(7))) {
        messages.set(type.slice(7), []);
      }
    }
  }
  const eventTypes = readTsv("event-types.tsv").map((row) => [row.event_type, row.message.slice(7)]);
  for (const [type, message] of eventTypes) {
    if (!messages.has(message)) throw new Error(`event type ${type}: no message ${message}`);
  }
  return { messages, enums, eventTypes };
}

/** The value type of a field type: V of map<K,V>, else the type. */
function valueType(type) {
  const map = /^map<\s*(\S+?)\s*,\s*(\S+?)\s*>$/.exec(type);
  return map === null ? type : map[2];
}

function checkedFields(name, rows) {
  const seen = new Map();
  return rows.map((row) => {
    const protoName = snake(row.field);
    if (seen.has(protoName))
      throw new Error(`${name}: ${row.field} and ${seen.get(protoName)} both ${protoName}`);
    seen.set(protoName, row.field);
    return { ...row, protoName, number: Number(row.number) };
  });
}

// ---------------------------------------------------------------------------------------------------- proto

function isEnum(facts, type) {
  return (
    type === "teleport.accesslist.v1.MembershipKind" ||
    (type.startsWith("events.") && facts.enums.has(type.slice(7)))
  );
}

function protoType(type) {
  const map = /^map<\s*(\S+?)\s*,\s*(\S+?)\s*>$/.exec(type);
  if (map !== null) return `map<${protoType(map[1])}, ${protoType(map[2])}>`;
  if (type.startsWith("events.")) return type.slice(7);
  return type;
}

function fieldComment(row) {
  if (row.embedded === "embed") return "embedded: its keys are the event's";
  return `JSON "${jsonKey(row)}"`;
}

function renderMessage(name, facts, variants, indent) {
  const short = name.split(".").at(-1);
  const pad = " ".repeat(indent);
  const out = [];
  const fields = checkedFields(name, facts.messages.get(name) ?? []);
  const isEvent = variants.has(name);
  if (isEvent) {
    const types = facts.eventTypes.filter(([, message]) => message === name).map(([type]) => type);
    out.push(
      `${pad}// ${types.length > 0 ? types.map((t) => `"${t}"`).join(", ") : "no event type string in this Teleport version"}`,
    );
  }
  out.push(`${pad}message ${short} {`);
  const inner = " ".repeat(indent + 2);
  for (const [enumName, values] of facts.enums) {
    if (enumName.startsWith(`${name}.`) && !enumName.slice(name.length + 1).includes(".")) {
      out.push(...renderEnum(enumName, values, indent + 2));
    }
  }
  for (const nested of facts.messages.keys()) {
    if (nested.startsWith(`${name}.`) && !nested.slice(name.length + 1).includes(".")) {
      out.push(...renderMessage(nested, facts, variants, indent + 2));
    }
  }
  const oneofs = new Map();
  for (const field of fields) {
    if (field.oneof !== "") {
      if (!oneofs.has(field.oneof)) oneofs.set(field.oneof, []);
      oneofs.get(field.oneof).push(field);
    }
  }
  const reserved = [];
  const emitted = new Set();
  for (const field of fields) {
    if (OPAQUE_TYPES.has(field.type)) {
      reserved.push(field);
      continue;
    }
    if (field.oneof !== "") {
      if (emitted.has(field.oneof)) continue;
      emitted.add(field.oneof);
      const group = oneofs.get(field.oneof);
      out.push(`${inner}oneof ${snake(field.oneof)} {`);
      for (const member of group) {
        out.push(
          `${inner}  ${protoType(member.type)} ${member.protoName} = ${member.number}; // ${fieldComment(member)}`,
        );
      }
      out.push(`${inner}}`);
      continue;
    }
    const isMap = field.type.startsWith("map<");
    // Singular scalars and enums are `optional` (same wire as Teleport's) so an empty value stays apart
    // from an absent one and the JSON comes back as it was.
    const scalarLike = SCALARS.has(field.type) || isEnum(facts, field.type);
    const label = field.label === "repeated" ? "repeated " : !isMap && scalarLike ? "optional " : "";
    out.push(
      `${inner}${label}${protoType(field.type)} ${field.protoName} = ${field.number}; // ${fieldComment(field)}`,
    );
  }
  for (const field of reserved) {
    out.push(
      `${inner}// ${field.field}: ${field.type}, opaque here (its JSON "${jsonKey(field)}" travels in \`extra\`).`,
    );
    out.push(`${inner}reserved ${field.number};`);
  }
  if (isEvent) {
    if (fields.some((field) => field.protoName === "extra" || field.number === EXTRA_FIELD_NUMBER)) {
      throw new Error(`${name} already has a field extra or number ${EXTRA_FIELD_NUMBER}`);
    }
    out.push(
      `${inner}// The project's: JSON keys this message has no field for, or whose value does not fit it.`,
    );
    out.push(`${inner}ExtraFields extra = ${EXTRA_FIELD_NUMBER};`);
  }
  out.push(`${pad}}`);
  return out;
}

function renderEnum(name, values, indent) {
  const pad = " ".repeat(indent);
  return [
    `${pad}enum ${name.split(".").at(-1)} {`,
    ...values.map(([value, number]) => `${pad}  ${value} = ${number};`),
    `${pad}}`,
  ];
}

function renderOneOf(facts) {
  const variants = checkedFields("OneOf", facts.messages.get("OneOf"));
  const numbers = new Set(variants.map((v) => v.number));
  const max = Math.max(...numbers);
  const gaps = [];
  for (let n = 1; n <= max; n++) {
    if (numbers.has(n)) continue;
    const last = gaps.at(-1);
    if (last !== undefined && last[1] === n - 1) last[1] = n;
    else gaps.push([n, n]);
  }
  return [
    "// One audit event: Teleport's OneOf, every variant at Teleport's number.",
    "message OneOf {",
    "  oneof event {",
    ...variants.map((v) => `    ${protoType(v.type)} ${v.protoName} = ${v.number};`),
    "  }",
    ...(gaps.length === 0
      ? []
      : [
          "  // Numbers Teleport's OneOf does not use.",
          `  reserved ${gaps.map(([a, b]) => (a === b ? `${a}` : `${a} to ${b}`)).join(", ")};`,
        ]),
    "}",
  ];
}

function renderEventsProto(facts) {
  const variants = new Set(facts.messages.get("OneOf").map((row) => row.type.slice(7)));
  const imports = new Set();
  for (const rows of facts.messages.values()) {
    for (const row of rows) {
      for (const type of [row.type, valueType(row.type)])
        if (IMPORTS[type] !== undefined) imports.add(IMPORTS[type]);
    }
  }
  imports.add("google/protobuf/struct.proto");
  const out = [
    `// Generated by scripts/generate-events-proto.mjs from data/teleport/; do not edit.`,
    "//",
    "// Teleport's audit events, field for field with Teleport's own events.proto (its `api` module,",
    `// commit ${EVENTS_PROTO_COMMIT}): every message of package \`events\` at Teleport's`,
    "// field numbers and wire types, `OneOf` with every variant at Teleport's number, and the enums, so a",
    "// client compiled from Teleport's proto decodes these messages. Field names are in proto style",
    "// (Teleport's are Go's); the comment beside a field is its key in Teleport's JSON, where embedded",
    "// messages are flattened into the event object.",
    "//",
    `// The one addition is \`ExtraFields extra = ${EXTRA_FIELD_NUMBER}\` in every event message: the JSON keys the message`,
    "// has no field for, or whose value does not fit its field, so the project's codec gives back exactly",
    "// the JSON it read. A Teleport decoder skips it. Teleport's highest number in an event message is 34;",
    `// ${EXTRA_FIELD_NUMBER} leaves room for its growth, is the largest number with a two-byte tag, and is far below`,
    "// protobuf's reserved 19000-19999.",
    'syntax = "proto3";',
    "",
    "package events;",
    "",
    ...[...imports].sort().map((file) => `import "${file}";`),
    "",
    "// JSON members of an event its message has no field for (or whose value does not fit the field).",
    "message ExtraFields {",
    "  // The keys and values, as JSON.",
    "  google.protobuf.Struct fields = 1;",
    "  // Numbers that a double cannot hold exactly (e.g. indexes beyond 2^53), by JSON Pointer",
    "  // (RFC 6901, relative to the event object) to their decimal text. They override `fields` on decode.",
    "  map<string, string> exact_numbers = 2;",
    "  // Members a Struct cannot carry, as one JSON object text (lone surrogates written as \\u escapes):",
    '  // a key or string that is not valid Unicode (protobuf strings are UTF-8), a "__proto__" key, or',
    "  // nesting deeper than protobuf decoders accept. Numbers in it are exact.",
    "  optional string escaped_members = 3;",
    "  // Set only on an `Unknown` the project built, as Teleport's server does, for an event whose type has",
    '  // no message: the event is the JSON in `Unknown.data`, not the Unknown. A real "unknown" event never',
    "  // has it.",
    "  bool wraps_data = 4;",
    "}",
    "",
  ];
  for (const [name, values] of facts.enums) {
    if (!name.includes(".")) out.push(...renderEnum(name, values, 0), "");
  }
  for (const name of facts.messages.keys()) {
    if (name === "OneOf" || name.includes(".")) continue;
    out.push(...renderMessage(name, facts, variants, 0), "");
  }
  out.push(...renderOneOf(facts));
  return out.join("\n") + "\n";
}

const WRAPPERS_PROTO = `// Generated by scripts/generate-events-proto.mjs; do not edit.
//
// Teleport's package \`wrappers\` as events.proto uses it: in JSON a LabelValues is an object of string
// arrays ({"key": ["a", "b"]}).
syntax = "proto3";

package wrappers;

message StringValues {
  repeated string values = 1;
}

message LabelValues {
  map<string, StringValues> values = 1;
}
`;

const ACCESSLIST_PROTO = `// Generated by scripts/generate-events-proto.mjs; do not edit.
//
// The one type of Teleport's package \`teleport.accesslist.v1\` that events.proto uses.
syntax = "proto3";

package teleport.accesslist.v1;

enum MembershipKind {
  MEMBERSHIP_KIND_UNSPECIFIED = 0;
  MEMBERSHIP_KIND_USER = 1;
  MEMBERSHIP_KIND_LIST = 2;
}
`;

// --------------------------------------------------------------------------------------------------- schema

function renderSchema(facts) {
  const lines = [
    "// Generated by scripts/generate-events-proto.mjs from data/teleport/; do not edit.",
    "// Teleport's event interface as the codec reads it; proto/events/events.proto is generated from the same facts.",
    "",
    "/** One field of a message of Teleport's package `events`. */",
    "export interface SchemaField {",
    "  /** Teleport's field name. */",
    "  readonly name: string;",
    "  /** The property of the generated TypeScript message (for a oneof member, its case). */",
    "  readonly prop: string;",
    "  readonly number: number;",
    '  /** As Teleport declares it: a scalar, "map<K,V>", or a qualified message or enum ("events.Status"). */',
    "  readonly type: string;",
    "  readonly repeated?: true;",
    "  /** Teleport's JSON key; absent for an embedded message, whose keys are the enclosing object's. */",
    "  readonly json?: string;",
    "  readonly embedded?: true;",
    "  /** The property of the oneof holding this field. */",
    "  readonly oneof?: string;",
    "  /** A type the tables do not describe: not in the proto (its number is reserved), its JSON kept in extras. */",
    "  readonly opaque?: true;",
    "}",
    "",
    `/** Teleport's commits the tables were read from: events.proto, and the event type map. */`,
    `export const TELEPORT_SOURCES = { eventsProto: "${EVENTS_PROTO_COMMIT}", eventTypes: "${EVENT_TYPES_COMMIT}" } as const;`,
    "",
    `/** The project's extras field in every event message. */`,
    `export const EXTRA_FIELD_NUMBER = ${EXTRA_FIELD_NUMBER};`,
    "",
    "/** Every message of package `events` by name (nested ones as Outer.Inner), fields in declaration order. */",
    "export const MESSAGES: { readonly [name: string]: readonly SchemaField[] } = {",
  ];
  for (const [name, rows] of facts.messages) {
    if (name === "OneOf") continue;
    lines.push(`  ${JSON.stringify(name)}: [`);
    for (const field of checkedFields(name, rows)) {
      const entry = {
        name: field.field,
        prop: tsProperty(field.protoName),
        number: field.number,
        type: field.type,
      };
      if (field.label === "repeated") entry.repeated = true;
      const key = jsonKey(field);
      if (key !== undefined) entry.json = key;
      else entry.embedded = true;
      if (field.oneof !== "") entry.oneof = tsProperty(snake(field.oneof));
      if (OPAQUE_TYPES.has(field.type)) entry.opaque = true;
      lines.push(`    ${JSON.stringify(entry)},`);
    }
    lines.push("  ],");
  }
  lines.push("};", "");
  lines.push(
    "/** Enum values by enum name. */",
    "export const ENUMS: { readonly [name: string]: readonly (readonly [string, number])[] } = {",
  );
  for (const [name, values] of facts.enums)
    lines.push(`  ${JSON.stringify(name)}: ${JSON.stringify(values)},`);
  lines.push("};", "");
  lines.push(
    "/** Teleport's OneOf: each variant's case (the generated `$case`), message and field number. */",
    "export const ONEOF_VARIANTS = [",
  );
  for (const field of checkedFields("OneOf", facts.messages.get("OneOf"))) {
    lines.push(
      `  { case: ${JSON.stringify(tsProperty(field.protoName))}, message: ${JSON.stringify(field.type.slice(7))}, number: ${field.number} },`,
    );
  }
  lines.push("] as const;", "");
  lines.push(
    "/** The event type strings Teleport's server maps to a message (`FromEventFields`), in its order. */",
    "export const EVENT_TYPES: readonly (readonly [type: string, message: string])[] = [",
  );
  for (const [type, message] of facts.eventTypes)
    lines.push(`  [${JSON.stringify(type)}, ${JSON.stringify(message)}],`);
  lines.push("];");
  return lines.join("\n") + "\n";
}

function write(relative, text) {
  const path = join(ROOT, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const facts = loadFacts();
if (process.argv.includes("--schema")) {
  write("src/gen/events/teleport-schema.ts", renderSchema(facts));
} else {
  write("proto/events/events.proto", renderEventsProto(facts));
  write("proto/wrappers/wrappers.proto", WRAPPERS_PROTO);
  write("proto/teleport/accesslist/v1/accesslist.proto", ACCESSLIST_PROTO);
}
