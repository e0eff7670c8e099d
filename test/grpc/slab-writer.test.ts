import fc from "fast-check";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { SlabWriter } from "../../src/grpc/slab-writer.js";

/** One writer call, applied alike to protobuf-es's BinaryWriter and to SlabWriter. */
type Op =
  | { op: "uint32" | "int32" | "sint32" | "fixed32" | "sfixed32" | "double" | "float"; value: number }
  | { op: "int64" | "sint64" | "uint64" | "fixed64" | "sfixed64"; value: bigint | string | number }
  | { op: "bool"; value: boolean }
  | { op: "string"; value: string }
  | { op: "bytes" | "raw"; value: Uint8Array }
  | { op: "tag"; field: number; wireType: number }
  | { op: "message"; ops: Op[] };

// Every varint length, and around 2^32 where int64's fast path ends.
const int64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc
    .integer({ min: 0, max: 63 })
    .chain((bits) => fc.bigInt({ min: -(2n ** BigInt(bits)), max: 2n ** BigInt(bits) })),
);
const uint64 = fc
  .integer({ min: 0, max: 64 })
  .chain((bits) => fc.bigInt({ min: 0n, max: 2n ** BigInt(bits) - 1n }));
const float32 = fc.float();
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ minLength: 60, maxLength: 300 }),
  // UTF-8 longer than the UTF-16 length by enough to need a longer length prefix.
  fc.integer({ min: 40, max: 140 }).map((n) => "é".repeat(n)),
  fc.integer({ min: 1, max: 70 }).map((n) => "😀".repeat(n)),
  fc.integer({ min: 1, max: 70 }).map((n) => "\ud800".repeat(n)),
  fc.constantFrom(
    "\ud800",
    "a\udfffb",
    "😀",
    "é".repeat(50),
    "x".repeat(127),
    "x".repeat(128),
    "y".repeat(20_000),
  ),
);

const ops: fc.Arbitrary<Op[]> = fc.letrec<{ ops: Op[]; op: Op }>((tie) => ({
  ops: fc.array(tie("op"), { maxLength: 12 }),
  op: fc.oneof(
    { depthSize: "small" },
    fc.record({ op: fc.constant("uint32" as const), value: fc.integer({ min: 0, max: 0xffffffff }) }),
    fc.record({
      op: fc.constantFrom("int32" as const, "sint32" as const, "sfixed32" as const),
      value: fc.integer(),
    }),
    fc.record({ op: fc.constant("fixed32" as const), value: fc.integer({ min: 0, max: 0xffffffff }) }),
    fc.record({ op: fc.constant("double" as const), value: fc.double() }),
    fc.record({ op: fc.constant("float" as const), value: float32 }),
    fc.record({
      op: fc.constantFrom("int64" as const, "sint64" as const, "sfixed64" as const),
      value: fc.oneof(int64, int64.map(String), fc.integer()),
    }),
    fc.record({
      op: fc.constantFrom("uint64" as const, "fixed64" as const),
      value: fc.oneof(uint64, uint64.map(String)),
    }),
    fc.record({ op: fc.constant("bool" as const), value: fc.boolean() }),
    fc.record({ op: fc.constant("string" as const), value: text }),
    fc.record({
      op: fc.constantFrom("bytes" as const, "raw" as const),
      value: fc.uint8Array({ maxLength: 300 }),
    }),
    fc.record({
      op: fc.constant("tag" as const),
      field: fc.integer({ min: 1, max: 2 ** 29 - 1 }),
      wireType: fc.integer({ min: 0, max: 5 }),
    }),
    fc.record({ op: fc.constant("message" as const), ops: tie("ops") }),
  ),
})).ops;

function apply(writer: BinaryWriter, list: Op[]): void {
  for (const step of list) {
    switch (step.op) {
      case "message":
        apply(writer.fork(), step.ops);
        writer.join();
        break;
      case "tag":
        writer.tag(step.field, step.wireType);
        break;
      case "int64":
      case "sint64":
      case "uint64":
      case "fixed64":
      case "sfixed64":
        writer[step.op](step.value);
        break;
      case "bool":
        writer.bool(step.value);
        break;
      case "string":
        writer.string(step.value);
        break;
      case "bytes":
      case "raw":
        writer[step.op](step.value);
        break;
      default:
        writer[step.op](step.value);
    }
  }
}

function reference(list: Op[]): Uint8Array {
  const writer = new BinaryWriter();
  apply(writer, list);
  return writer.finish();
}

describe("SlabWriter", () => {
  it("writes the same bytes as protobuf-es's BinaryWriter, message after message", () => {
    const slab = new SlabWriter();
    fc.assert(
      fc.property(fc.array(ops, { minLength: 1, maxLength: 4 }), (messages) => {
        const written = messages.map((list) => {
          apply(slab.asBinaryWriter(), list);
          return slab.finish();
        });
        // Earlier messages are views of the slab: later ones must not have overwritten them.
        written.forEach((bytes, i) => expect(new Uint8Array(bytes)).toEqual(reference(messages[i] ?? [])));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    0n,
    1n,
    127n,
    128n,
    2n ** 31n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 32n + 1n,
    2n ** 33n,
    2n ** 63n - 1n,
    -1n,
    -(2n ** 63n),
  ])("writes the 64-bit value %s as BinaryWriter does", (value) => {
    for (const op of ["int64", "sint64", "sfixed64"] as const) {
      for (const form of [value, String(value)]) {
        expect(new Uint8Array(new SlabWriter()[op](form).finish())).toEqual(
          new BinaryWriter()[op](form).finish(),
        );
      }
    }
    if (value >= 0n) {
      for (const op of ["uint64", "fixed64"] as const) {
        expect(new Uint8Array(new SlabWriter()[op](value).finish())).toEqual(
          new BinaryWriter()[op](value).finish(),
        );
      }
    }
  });

  it("moves a message in progress to a new slab when the current one fills", () => {
    const slab = new SlabWriter();
    const first = slab.string("a".repeat(40_000)).finish();
    const big: Op[] = [
      {
        op: "message",
        ops: [
          { op: "string", value: "é".repeat(20_000) },
          { op: "uint32", value: 7 },
        ],
      },
    ];
    apply(slab.asBinaryWriter(), big);
    const second = slab.finish();
    expect(new Uint8Array(second)).toEqual(reference(big));
    expect(new Uint8Array(first)).toEqual(new BinaryWriter().string("a".repeat(40_000)).finish());
  });

  it("drops a half-written message on discard", () => {
    const slab = new SlabWriter();
    slab.uint32(10).fork().string("partial");
    slab.discard();
    expect(new Uint8Array(slab.uint32(8).bool(true).finish())).toEqual(new Uint8Array([8, 1]));
  });

  it("refuses out-of-range values as BinaryWriter does", () => {
    const slab = new SlabWriter();
    for (const [call, value] of [
      ["uint32", -1],
      ["uint32", 2 ** 32],
      ["int32", 2 ** 31],
      ["int32", 1.5],
      ["float", 1e39],
    ] as const) {
      expect(() => slab[call](value)).toThrow(`invalid ${call === "float" ? "float32" : call}`);
      expect(() => new BinaryWriter()[call](value)).toThrow();
    }
  });

  it("refuses to finish inside a fork and to join without one", () => {
    const slab = new SlabWriter();
    expect(() => slab.join()).toThrow("fork stack empty");
    slab.fork();
    expect(() => slab.finish()).toThrow("fork stack not empty");
  });
});
