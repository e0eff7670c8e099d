import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CursorPositions,
  coveredShards,
  isShardStart,
} from "../../../src/auditlog/dynamo/cursor-positions.js";
import { ShardGraph, type ShardInfo } from "../../../src/auditlog/dynamo/shard-graph.js";
import { decodeCursor } from "../../../src/cursor/cursor.js";

// p ─┬─ c1 ── g1
//    └─ c2
const graph = new ShardGraph([
  { id: "p", closed: true },
  { id: "c1", parentId: "p", closed: true },
  { id: "c2", parentId: "p", closed: false },
  { id: "g1", parentId: "c1", closed: false },
  { id: "q", closed: false },
]);

function settled(entries: [string, string][], finished: string[]): [string, string][] {
  const positions = new CursorPositions(entries);
  positions.settle(graph, (id) => finished.includes(id));
  return [...positions.toCursor()].sort();
}

describe("CursorPositions", () => {
  it("changes its version exactly when an entry changes, so equal versions encode equally", () => {
    const positions = new CursorPositions([["p", "105"]]);
    const seen = new Map<number, string>([[positions.version, positions.encode()]]);
    const step = (change: () => void, changes: boolean): void => {
      const before = positions.version;
      change();
      expect(positions.version !== before).toBe(changes);
      const encoded = seen.get(positions.version);
      if (encoded !== undefined) expect(positions.encode()).toBe(encoded);
      seen.set(positions.version, positions.encode());
    };
    step(() => positions.settle(graph, () => false), false);
    step(() => positions.deliver("p", "106"), true);
    step(() => positions.forget("q"), false);
    step(() => positions.settle(graph, (id) => id === "p"), true);
    step(() => positions.settle(graph, (id) => id === "p"), false);
    step(() => positions.forget("c2"), true);
  });

  it.each<[string, [string, string][], string[], [string, string][]]>([
    ["an unfinished shard keeps its position", [["p", "105"]], [], [["p", "105"]]],
    [
      "a finished shard gives way to its children at their start",
      [["p", "105"]],
      ["p"],
      [
        ["c1", "0"],
        ["c2", "0"],
      ],
    ],
    [
      "a finished shard without children stays (its children are not known yet)",
      [["g1", "300"]],
      ["g1"],
      [["g1", "300"]],
    ],
    [
      "finishing cascades through an empty finished child",
      [["p", "105"]],
      ["p", "c1"],
      [
        ["c2", "0"],
        ["g1", "0"],
      ],
    ],
    [
      "a position below a shard makes the shard's own entry redundant",
      [
        ["p", "105"],
        ["c1", "200"],
      ],
      [],
      [["c1", "200"]],
    ],
    [
      "a child already read from keeps its position when the parent finishes",
      [
        ["p", "105"],
        ["c2", "210"],
      ],
      ["p"],
      [
        ["c1", "0"],
        ["c2", "210"],
      ],
    ],
    [
      "unrelated shards are untouched",
      [
        ["q", "7"],
        ["p", "105"],
      ],
      ["p"],
      [
        ["c1", "0"],
        ["c2", "0"],
        ["q", "7"],
      ],
    ],
  ])("%s", (_name, entries, finished, expected) => {
    expect(settled(entries, finished)).toEqual(expected);
  });

  it("encodes through the shared cursor format", () => {
    const positions = new CursorPositions([["s", "123456789012345678901234"]]);
    expect(positions.encode()).toBe('{"shard_id_to_sequence_number":{"s":"123456789012345678901234"}}');
    expect(decodeCursor(positions.encode())).toEqual(positions.toCursor());
    expect(new CursorPositions().encode()).toBe("");
  });

  it.each([
    ["0", true],
    ["000", true],
    ["100000000000000000001", false],
  ])("isShardStart(%s) is %s", (seq, expected) => {
    expect(isShardStart(seq)).toBe(expected);
  });

  it("settling leaves no entry above another, no finished shard with known children, and is idempotent", () => {
    const treeArbitrary = fc
      .array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 25 })
      .map((specs) =>
        specs.map(([parent, hasParent], i): ShardInfo => {
          const shard: ShardInfo = { id: `s${String(i).padStart(2, "0")}`, closed: false };
          if (hasParent && i > 0) shard.parentId = `s${String(parent % i).padStart(2, "0")}`;
          return shard;
        }),
      );
    fc.assert(
      fc.property(
        treeArbitrary,
        fc.array(fc.tuple(fc.nat(), fc.bigInt({ min: 10n ** 20n, max: 10n ** 22n })), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (shards, entryPicks, finishedPicks) => {
          const tree = new ShardGraph(shards);
          const pick = (n: number) => (shards[n % shards.length] as ShardInfo).id;
          const finished = new Set(finishedPicks.map(pick));
          const positions = new CursorPositions(
            entryPicks.map(([n, seq]) => [pick(n), seq.toString()] as const),
          );
          positions.settle(tree, (id) => finished.has(id));
          const entries = [...positions.toCursor().keys()];
          const covered = coveredShards(entries, tree);
          for (const id of entries) {
            expect(covered.has(id)).toBe(false);
            if (finished.has(id)) expect(tree.children(id)).toEqual([]);
          }
          const again = new CursorPositions(positions.toCursor());
          again.settle(tree, (id) => finished.has(id));
          expect(again.toCursor()).toEqual(positions.toCursor());
          expect(decodeCursor(positions.encode())).toEqual(positions.toCursor());
        },
      ),
    );
  });
});
