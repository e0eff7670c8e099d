import { describe, expect, it } from "vitest";
import { TRIM_HORIZON } from "../../../src/auditlog/dynamo/resume-plan.js";
import { ShardGraph, type ShardInfo } from "../../../src/auditlog/dynamo/shard-graph.js";
import { ShardSchedule } from "../../../src/auditlog/dynamo/shard-schedule.js";

// a (closed) ─┬─ b (open)
//             └─ c (open)
// r (open, its parent has left the stream)
const listing: ShardInfo[] = [
  { id: "a", closed: true },
  { id: "b", parentId: "a", closed: false },
  { id: "c", parentId: "a", closed: false },
  { id: "r", parentId: "gone", closed: false },
];

function schedule(untilCaughtUp = false, finished: string[] = []) {
  return new ShardSchedule(
    new ShardGraph(listing),
    { starts: new Map(), finished: new Set(finished) },
    untilCaughtUp,
  );
}

describe("ShardSchedule", () => {
  it("a child waits for its parent; a shard whose parent left the stream is readable", () => {
    const s = schedule();
    expect(s.status("a")).toBe("readable");
    expect(s.status("b")).toBe("waiting");
    expect(s.status("c")).toBe("waiting");
    expect(s.status("r")).toBe("readable");
    s.finish("a");
    expect(s.status("b")).toBe("readable");
    expect(s.status("c")).toBe("readable");
  });

  it("children of a shard finished by the cursor are readable at once", () => {
    expect(schedule(false, ["a"]).status("b")).toBe("readable");
  });

  it("serves due shards round-robin and waits for the earliest when none is due", () => {
    const s = schedule(false, ["a"]);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const step = s.next(0);
      if (step.kind !== "read") throw new Error(`expected a read, got ${step.kind}`);
      order.push(step.shard);
      s.served(step.shard, 0);
    }
    expect(order).toEqual(["b", "c", "r", "b", "c", "r"]);
    s.served("b", 500);
    s.served("c", 300);
    s.served("r", 900);
    expect(s.next(100)).toEqual({ kind: "wait", until: 300 });
    expect(s.next(300)).toEqual({ kind: "read", shard: "c" });
  });

  it("following: with nothing readable, waits for the listing to change", () => {
    const s = schedule(false, ["a", "b", "c", "r"]);
    expect(s.next(0)).toEqual({ kind: "wait", until: undefined });
  });

  it("until caught up: done once every shard is finished or caught up", () => {
    const s = schedule(true);
    s.finish("a");
    s.catchUp("b");
    s.catchUp("c");
    expect(s.next(0)).toEqual({ kind: "read", shard: "r" });
    s.catchUp("r");
    expect(s.next(0)).toEqual({ kind: "done" });
  });

  it("until caught up: shards that appear after the start are excluded; following: they wait, then start at TRIM_HORIZON", () => {
    const caughtUp = schedule(true, ["a", "b", "c", "r"]);
    caughtUp.refresh([...listing, { id: "d", parentId: "b", closed: false }]);
    expect(caughtUp.status("d")).toBe("excluded");
    expect(caughtUp.next(0)).toEqual({ kind: "done" });

    const following = schedule(false, ["a"]);
    following.refresh([...listing, { id: "d", parentId: "b", closed: false }]);
    expect(following.status("d")).toBe("waiting");
    following.finish("b");
    expect(following.status("d")).toBe("readable");
    expect(following.start("d")).toEqual(TRIM_HORIZON);
  });

  it("until caught up: a shard listed late whose id dates it at or before the start is read, as open at the start", () => {
    const start = 1_700_000_000_000;
    const id = (at: number) => `shardId-${String(at).padStart(20, "0")}-0000000d`;
    const s = new ShardSchedule(
      new ShardGraph(listing),
      { starts: new Map(), finished: new Set(["a", "c", "r"]) },
      true,
      start,
    );
    s.refresh([
      ...listing,
      { id: id(start - 3000), parentId: "b", closed: false },
      { id: id(start), parentId: "b", closed: false },
      { id: id(start + 1), parentId: "b", closed: false },
      { id: "later", parentId: "b", closed: false },
    ]);
    expect(s.status(id(start - 3000))).toBe("waiting");
    expect(s.status(id(start))).toBe("waiting");
    expect(s.status(id(start + 1))).toBe("excluded");
    expect(s.status("later")).toBe("excluded");
    s.finish("b");
    expect(s.status(id(start - 3000))).toBe("readable");
    expect(s.wasOpenAtStart(id(start - 3000))).toBe(true);
    expect(s.wasOpenAtStart(id(start + 1))).toBe(false);
  });

  it("on a resume, reads shards the cursor has not delivered from before those it has", () => {
    const open = [
      { id: "p", closed: false },
      { id: "q", closed: false },
      { id: "s", closed: false },
    ];
    const s = new ShardSchedule(
      new ShardGraph(open),
      {
        starts: new Map([
          ["p", { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "100000000000000000007" }],
          ["q", { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "100000000000000000009" }],
          ["s", TRIM_HORIZON],
        ]),
        finished: new Set(),
      },
      false,
    );
    expect(s.next(0)).toEqual({ kind: "read", shard: "s" });
    s.served("s", 0);
    expect(s.next(0)).toEqual({ kind: "read", shard: "p" });
    s.served("p", 0);
    expect(s.next(0)).toEqual({ kind: "read", shard: "q" });
  });

  it("forgets finished shards that left the listing unless asked to keep them", () => {
    const s = schedule(false, ["a"]);
    s.finish("r");
    s.refresh(
      listing.filter((x) => x.id !== "a" && x.id !== "r"),
      (id) => id === "r",
    );
    expect(s.status("a")).toBeUndefined();
    expect(s.status("r")).toBe("finished");
    expect(s.status("b")).toBe("readable");
  });

  it("remembers which shards were open at the start", () => {
    const s = schedule(true);
    expect(s.wasOpenAtStart("a")).toBe(false);
    expect(s.wasOpenAtStart("b")).toBe(true);
  });
});
