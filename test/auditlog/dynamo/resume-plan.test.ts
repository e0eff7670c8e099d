import { describe, expect, it } from "vitest";
import { planResume, type StartPoint } from "../../../src/auditlog/dynamo/resume-plan.js";
import { ShardGraph, type ShardInfo } from "../../../src/auditlog/dynamo/shard-graph.js";
import { InvalidArgumentError } from "../../../src/errors/errors.js";

const STREAM_CREATED = 1_700_000_000_000;
const id = (offsetMs: number, n: number) =>
  `shardId-${String(STREAM_CREATED + offsetMs).padStart(20, "0")}-${n.toString(16).padStart(8, "0")}`;

// Listed now:  P (closed) ─┬─ C1 (closed) ── G (open)
//                          └─ C2 (open)
// P's own parent GONE has left the stream.
const GONE = id(1000, 0);
const P = id(2000, 1);
const C1 = id(3000, 2);
const C2 = id(3000, 3);
const G = id(4000, 4);
const listing: ShardInfo[] = [
  { id: P, parentId: GONE, startingSequenceNumber: "100000000000000000010", closed: true },
  { id: C1, parentId: P, startingSequenceNumber: "100000000000000000020", closed: true },
  { id: C2, parentId: P, startingSequenceNumber: "100000000000000000021", closed: false },
  { id: G, parentId: C1, closed: false },
];
const graph = new ShardGraph(listing);
const TH: StartPoint = { type: "TRIM_HORIZON" };

function plan(entries: [string, string][], startPosition: "trim_horizon" | "latest" = "trim_horizon") {
  return planResume({
    cursor: new Map(entries),
    graph,
    startPosition,
    streamCreatedAt: STREAM_CREATED,
    table: "events",
  });
}

describe("planResume", () => {
  it("empty cursor, trim_horizon: every shard from TRIM_HORIZON", () => {
    const result = plan([]);
    expect([...result.starts.values()]).toEqual([TH, TH, TH, TH]);
    expect(result.finished.size).toBe(0);
    expect(result.positions.size).toBe(0);
  });

  it("empty cursor, latest: closed shards skipped, open ones at LATEST", () => {
    const result = plan([], "latest");
    expect([...result.finished].sort()).toEqual([C1, P].sort());
    expect(result.starts.get(C2)).toEqual({ type: "LATEST" });
    expect(result.starts.get(G)).toEqual({ type: "LATEST" });
  });

  it("a position resumes after its sequence number; the shards above it are finished", () => {
    const result = plan([[C1, "100000000000000000025"]]);
    expect(result.starts.get(C1)).toEqual({
      type: "AFTER_SEQUENCE_NUMBER",
      sequenceNumber: "100000000000000000025",
    });
    expect([...result.finished]).toEqual([P]);
    expect(result.starts.get(C2)).toEqual(TH);
    expect(result.starts.get(G)).toEqual(TH);
    expect(result.trimmed).toEqual([]);
  });

  it("a shard's start marker resumes AT its starting sequence number (so trimming there is detected)", () => {
    expect(plan([[C2, "0"]]).starts.get(C2)).toEqual({
      type: "AT_SEQUENCE_NUMBER",
      sequenceNumber: "100000000000000000021",
    });
    expect(plan([[G, "0"]]).starts.get(G)).toEqual(TH);
  });

  it("the configured start position does not apply to a non-empty cursor", () => {
    const result = plan([[C1, "100000000000000000025"]], "latest");
    expect(result.starts.get(C2)).toEqual(TH);
  });

  it("an entry above another entry is redundant", () => {
    const result = plan([
      [P, "100000000000000000015"],
      [G, "100000000000000000040"],
    ]);
    expect([...result.positions]).toEqual([[G, "100000000000000000040"]]);
    expect([...result.finished].sort()).toEqual([C1, P].sort());
  });

  it("a position in a shard that left the stream is trimmed when nothing below it was read", () => {
    expect(plan([[GONE, "100000000000000000005"]]).trimmed).toEqual([
      { shardId: GONE, sequenceNumber: "100000000000000000005" },
    ]);
  });

  it("a position in a shard that left the stream is finished when something below it was read", () => {
    const result = plan([
      [GONE, "100000000000000000005"],
      [P, "100000000000000000015"],
    ]);
    expect(result.trimmed).toEqual([]);
    expect([...result.positions.keys()]).toEqual([P]);
  });

  it("a shard of this stream that aged out (dated before the oldest listed one) is trimmed", () => {
    const aged = id(500, 9);
    expect(plan([[aged, "100000000000000000001"]]).trimmed).toEqual([
      { shardId: aged, sequenceNumber: "100000000000000000001" },
    ]);
  });

  it.each([
    ["dated within the listed shards' time", id(3500, 10)],
    ["dated before the stream was created", id(-1, 11)],
    ["not a DynamoDB shard id", "2026-09-01.log"],
  ])("a shard this stream never had is INVALID_ARGUMENT (%s)", (_why, shard) => {
    expect(() => plan([[shard, "100000000000000000001"]])).toThrow(InvalidArgumentError);
    expect(() => plan([[shard, "100000000000000000001"]])).toThrow(
      `cursor names shard "${shard}", which the stream of table events does not have`,
    );
  });

  it("names at most three foreign shards in the message", () => {
    const foreign = ["a", "b", "c", "d", "e"].map((s): [string, string] => [s, "1"]);
    expect(() => plan(foreign)).toThrow(/"a", "b", "c" and 2 more/);
  });
});
