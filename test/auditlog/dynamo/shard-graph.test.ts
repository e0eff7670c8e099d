import { describe, expect, it } from "vitest";
import { ShardGraph, shardCreationTime, shardInfo } from "../../../src/auditlog/dynamo/shard-graph.js";

const tree = new ShardGraph([
  { id: "a", closed: true },
  { id: "b", parentId: "a", closed: true },
  { id: "c", parentId: "a", closed: false },
  { id: "d", parentId: "b", closed: false },
  { id: "e", parentId: "gone", closed: false },
]);

describe("ShardGraph", () => {
  it.each([
    ["a", []],
    ["b", ["a"]],
    ["d", ["b", "a"]],
    ["e", ["gone"]],
    ["unknown", []],
  ])("ancestors of %s are %j (nearest first, up to a parent that left)", (id, expected) => {
    expect(tree.ancestors(id)).toEqual(expected);
  });

  it.each([
    ["a", ["b", "c"]],
    ["b", ["d"]],
    ["gone", ["e"]],
    ["d", []],
  ])("children of %s are %j", (id, expected) => {
    expect(tree.children(id)).toEqual(expected);
  });

  it("stops on a cycle instead of looping", () => {
    const cyclic = new ShardGraph([
      { id: "x", parentId: "y", closed: false },
      { id: "y", parentId: "x", closed: false },
    ]);
    expect(cyclic.ancestors("x")).toEqual(["y"]);
  });

  it("update takes the listing and keeps only the departed shards asked for", () => {
    const next = tree.update(
      [
        { id: "c", parentId: "a", closed: true },
        { id: "f", parentId: "c", closed: false },
      ],
      (id) => id === "d",
    );
    expect(next.all().map((s) => s.id)).toEqual(["c", "d", "f"]);
    expect(next.get("c")?.closed).toBe(true);
    expect(next.ancestors("f")).toEqual(["c", "a"]);
  });

  it("maps a DescribeStream shard, closed when it has an ending sequence number", () => {
    expect(
      shardInfo({
        shardId: "s",
        parentShardId: "p",
        startingSequenceNumber: "100000000000000000001",
        endingSequenceNumber: "100000000000000000009",
      }),
    ).toEqual({ id: "s", parentId: "p", startingSequenceNumber: "100000000000000000001", closed: true });
    expect(shardInfo({ shardId: "s" })).toEqual({ id: "s", closed: false });
  });

  it.each([
    ["shardId-00000001795431997853-e7563ae3", 1795431997853],
    ["shardId-00000001414562045508-2bac9cd2", 1414562045508],
    ["2026-09-01.log", undefined],
    ["shardId-123-abc", undefined],
  ])("reads the creation time in %s", (id, expected) => {
    expect(shardCreationTime(id)).toBe(expected);
  });
});
