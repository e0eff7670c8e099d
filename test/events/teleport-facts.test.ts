import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createFileRegistry,
  fromBinary,
  ScalarType,
  type DescField,
  type DescMessage,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, describe, expect, it } from "vitest";
import * as generated from "../../src/gen/events/events.js";
import { EXTRA_FIELD_NUMBER, MESSAGES, ONEOF_VARIANTS } from "../../src/gen/events/teleport-schema.js";

/**
 * The generated wire format against Teleport's facts (data/teleport/), read here straight from the
 * tables: every field of every message at Teleport's number with Teleport's wire type, nothing invented,
 * every OneOf variant and enum value. The descriptor is the one `buf` compiles from proto/, so a drift of
 * the proto, the generator or the tables fails here.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Fact {
  message: string;
  field: string;
  number: number;
  label: string;
  type: string;
  oneof: string;
}

function readTable(name: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(ROOT, "data/teleport", name), "utf8")
    .split("\n")
    .filter(Boolean);
  const columns = (header as string).split("\t");
  return lines.map((line) => {
    const cells = line.split("\t");
    return Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? ""]));
  });
}

const facts: Fact[] = readTable("events-wire.tsv").map((row) => ({
  message: row["message"] as string,
  field: row["field"] as string,
  number: Number(row["number"]),
  label: row["label"] as string,
  type: row["type"] as string,
  oneof: row["oneof"] as string,
}));
const enumFacts = readTable("events-enums.tsv");
const OPAQUE = new Set(["types.LockTarget", "types.SAMLConnectorV2"]);

const work = mkdtempSync(join(tmpdir(), "events-descriptor-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
execFileSync(
  join(ROOT, "node_modules/.bin/buf"),
  ["build", "--as-file-descriptor-set", "-o", join(work, "set.binpb")],
  {
    cwd: ROOT,
  },
);
const registry = createFileRegistry(
  fromBinary(FileDescriptorSetSchema, readFileSync(join(work, "set.binpb"))),
);

function message(name: string): DescMessage {
  const found = registry.getMessage(`events.${name}`);
  if (found === undefined) throw new Error(`no message events.${name} in the descriptor`);
  return found;
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

function scalarWireType(type: string): number | undefined {
  if (["int32", "int64", "uint32", "uint64", "sint32", "sint64", "bool"].includes(type)) return VARINT;
  if (["fixed64", "sfixed64", "double"].includes(type)) return I64;
  if (["fixed32", "sfixed32", "float"].includes(type)) return I32;
  if (["string", "bytes"].includes(type)) return LEN;
  return undefined;
}

/** Teleport's wire type of a field, from its declared type (proto3 packs repeated numbers). */
function factWireType(fact: Fact): number {
  if (fact.type.startsWith("map<")) return LEN;
  const isEnum =
    fact.type === "teleport.accesslist.v1.MembershipKind" ||
    enumFacts.some((row) => `events.${row["enum"]}` === fact.type);
  const single = isEnum ? VARINT : (scalarWireType(fact.type) ?? LEN);
  return fact.label === "repeated" && single !== LEN ? LEN : single;
}

const SCALAR_WIRE: { [type in ScalarType]: number } = {
  [ScalarType.DOUBLE]: I64,
  [ScalarType.FLOAT]: I32,
  [ScalarType.INT64]: VARINT,
  [ScalarType.UINT64]: VARINT,
  [ScalarType.INT32]: VARINT,
  [ScalarType.FIXED64]: I64,
  [ScalarType.FIXED32]: I32,
  [ScalarType.BOOL]: VARINT,
  [ScalarType.STRING]: LEN,
  [ScalarType.BYTES]: LEN,
  [ScalarType.UINT32]: VARINT,
  [ScalarType.SFIXED32]: I32,
  [ScalarType.SFIXED64]: I64,
  [ScalarType.SINT32]: VARINT,
  [ScalarType.SINT64]: VARINT,
};

/** The wire type the compiled descriptor gives a field. */
function descriptorWireType(field: DescField): number {
  switch (field.fieldKind) {
    case "scalar":
      return SCALAR_WIRE[field.scalar];
    case "enum":
      return VARINT;
    case "message":
    case "map":
      return LEN;
    case "list":
      if (field.packed) return LEN;
      return field.listKind === "scalar"
        ? SCALAR_WIRE[field.scalar]
        : field.listKind === "enum"
          ? VARINT
          : LEN;
  }
}

/** The type the descriptor names, in the tables' spelling ("string", "events.Status", "map<string,string>"). */
function descriptorType(field: DescField): string {
  const scalarName = (scalar: ScalarType) => ScalarType[scalar].toLowerCase();
  switch (field.fieldKind) {
    case "scalar":
      return scalarName(field.scalar);
    case "enum":
      return field.enum.typeName;
    case "message":
      return field.message.typeName;
    case "list":
      return field.listKind === "scalar"
        ? scalarName(field.scalar)
        : field.listKind === "enum"
          ? field.enum.typeName
          : field.message.typeName;
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarName(field.scalar)
          : field.mapKind === "enum"
            ? field.enum.typeName
            : field.message.typeName;
      return `map<${scalarName(field.mapKey)},${value}>`;
    }
  }
}

const byMessage = new Map<string, Fact[]>();
for (const fact of facts) byMessage.set(fact.message, [...(byMessage.get(fact.message) ?? []), fact]);
const variants = new Set((byMessage.get("OneOf") ?? []).map((fact) => fact.type.slice("events.".length)));

describe("the generated events proto against Teleport's facts", () => {
  it("has every message of the tables (342) and Teleport's 267 OneOf variants", () => {
    expect(byMessage.size).toBe(342);
    expect(variants.size).toBe(267);
    for (const name of byMessage.keys()) expect(message(name).typeName).toBe(`events.${name}`);
  });

  describe.each([...byMessage.keys()].filter((name) => name !== "OneOf"))("%s", (name) => {
    it("has each field at Teleport's number with Teleport's wire type and type, and nothing else", () => {
      const desc = message(name);
      const expected = byMessage.get(name) as Fact[];
      for (const fact of expected) {
        const field = desc.fields.find((f) => f.number === fact.number);
        if (OPAQUE.has(fact.type)) {
          // Opaque: never given invented contents, its number reserved.
          expect(field, `${fact.field}`).toBeUndefined();
          expect(desc.proto.reservedRange.some((r) => r.start <= fact.number && fact.number < r.end)).toBe(
            true,
          );
          continue;
        }
        expect(field, `${name}.${fact.field} (${fact.number})`).toBeDefined();
        if (field === undefined) continue;
        expect([fact.field, descriptorWireType(field)]).toEqual([fact.field, factWireType(fact)]);
        expect([fact.field, descriptorType(field)]).toEqual([fact.field, fact.type.replaceAll(" ", "")]);
        expect([fact.field, field.fieldKind === "list"]).toEqual([fact.field, fact.label === "repeated"]);
        expect([fact.field, field.oneof?.name ?? ""]).toEqual([fact.field, fact.oneof.toLowerCase()]);
      }
      const extra = desc.fields.filter((f) => !expected.some((fact) => fact.number === f.number));
      expect(extra.map((f) => [f.name, f.number])).toEqual(
        variants.has(name) ? [["extra", EXTRA_FIELD_NUMBER]] : [],
      );
    });
  });

  it("has OneOf with every variant at Teleport's number, in one oneof", () => {
    const desc = message("OneOf");
    const expected = byMessage.get("OneOf") as Fact[];
    expect(desc.fields).toHaveLength(expected.length);
    for (const fact of expected) {
      const field = desc.fields.find((f) => f.number === fact.number);
      expect(field?.fieldKind === "message" && field.message.typeName).toBe(fact.type);
      expect(field?.oneof?.name).toBe("event");
    }
  });

  it("has every enum value at Teleport's number", () => {
    for (const row of enumFacts) {
      const desc = registry.getEnum(`events.${row["enum"]}`);
      expect(
        desc?.values.find((v) => v.name === row["value"])?.number,
        `${row["enum"]}.${row["value"]}`,
      ).toBe(Number(row["number"]));
    }
  });

  it("keeps the extras field above every number Teleport uses, and below protobuf's reserved range", () => {
    const highest = Math.max(...facts.filter((f) => f.message !== "OneOf").map((f) => f.number));
    expect(highest).toBe(34);
    expect(EXTRA_FIELD_NUMBER).toBeGreaterThan(highest);
    expect(EXTRA_FIELD_NUMBER).toBeLessThan(19000);
  });
});

describe("the codec's table against the generated TypeScript", () => {
  it("names a property of the generated message for every field, and every OneOf case", () => {
    const fns = generated as unknown as Record<
      string,
      { decode(bytes: Uint8Array): Record<string, unknown> }
    >;
    for (const [name, fields] of Object.entries(MESSAGES)) {
      const base = fns[name.replaceAll(".", "_")]?.decode(new Uint8Array());
      expect(base, name).toBeDefined();
      for (const field of fields) {
        if (field.opaque === true) continue;
        expect(Object.keys(base ?? {}), `${name}.${field.name}`).toContain(field.oneof ?? field.prop);
      }
    }
    expect(ONEOF_VARIANTS).toHaveLength(267);
    for (const variant of ONEOF_VARIANTS) {
      const bytes = generated.OneOf.encode({
        event: { $case: variant.case, value: fns[variant.message]?.decode(new Uint8Array()) },
      } as generated.OneOf).finish();
      // The tag of the one field: number << 3 | LEN, as a varint.
      let tag = 0;
      for (let i = 0, shift = 0; ; i++, shift += 7) {
        const byte = bytes[i] as number;
        tag |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
      expect([variant.case, tag >>> 3, tag & 7]).toEqual([variant.case, variant.number, LEN]);
    }
  });
});
