import { describe, expect, it } from "vitest";
import type { WindowPage } from "../../../src/auditlog/dynamo/page-window.js";
import { routeRead, type ReadDecision, type ReadSnapshot } from "../../../src/auditlog/dynamo/shard-route.js";

const AT_10 = { type: "AFTER_SEQUENCE_NUMBER", key: "after:10" } as const;
const LATEST = { type: "LATEST", key: "latest" } as const;

const PAGE: WindowPage = {
  from: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "10" },
  records: [],
  next: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "10" },
  finished: false,
  fetch: 7,
};

/**
 * A stream at `after:10` with no reader of its own, on a shard whose shared reader stands at `after:20`
 * with another stream following it, no fetch in progress, nothing held for the stream, one reader of two.
 */
const BASE: ReadSnapshot = {
  at: AT_10,
  ownKey: undefined,
  sharedKey: "after:20",
  fetching: false,
  held: undefined,
  atHead: false,
  othersAttached: true,
  readers: 1,
  maxReaders: 2,
};

/** An own reader at the asked position, the shared reader elsewhere: two readers of two. */
const OWN: Partial<ReadSnapshot> = { ownKey: "after:10", readers: 2 };

describe("routeRead", () => {
  it.each<[string, Partial<ReadSnapshot>, ReadDecision]>([
    // With a reader of its own.
    ["own reader elsewhere: drop it", { ...OWN, ownKey: "after:5" }, { action: "drop-own" }],
    [
      "own reader started at a LATEST asked for again, its iterator since opened: read own",
      { ...OWN, at: LATEST, ownKey: "latest#4" },
      { action: "read-own" },
    ],
    [
      "own reader, no shared reader: promote",
      { ...OWN, sharedKey: undefined, othersAttached: false, readers: 1 },
      { action: "promote-own" },
    ],
    [
      "own reader, nobody follows the shared one: promote",
      { ...OWN, othersAttached: false },
      { action: "promote-own" },
    ],
    [
      "own reader at the shared reader's position: drop it",
      { ...OWN, sharedKey: "after:10" },
      { action: "drop-own" },
    ],
    ["own reader, position back in the window: drop it", { ...OWN, held: PAGE }, { action: "drop-own" }],
    ["own reader outside the window: read own", { ...OWN }, { action: "read-own" }],
    [
      "own reader while the shared one fetches: read own, whatever the shared holds",
      { ...OWN, fetching: true, sharedKey: "after:10", held: PAGE, othersAttached: false },
      { action: "read-own" },
    ],
    // Without one.
    ["held in the window: take it", { held: PAGE, fetching: true }, { action: "take-window", page: PAGE }],
    [
      "not held, shared reader fetching: wait",
      { fetching: true, sharedKey: "after:10" },
      { action: "wait-fetch" },
    ],
    ["at the shared reader: fetch", { sharedKey: "after:10" }, { action: "fetch-shared" }],
    [
      "unopened LATEST, shared reader at the head: follow it",
      { at: LATEST, sharedKey: "latest#3", atHead: true },
      { action: "follow-head" },
    ],
    [
      "unopened LATEST, shared reader not at the head, followed: own reader",
      { at: LATEST, sharedKey: "latest#3" },
      { action: "start-own" },
    ],
    [
      "no shared reader: start one",
      { sharedKey: undefined, othersAttached: false, readers: 0 },
      { action: "start-shared" },
    ],
    ["shared reader nobody else follows: replace it", { othersAttached: false }, { action: "start-shared" }],
    ["outside, shard at its bound: refuse", { readers: 2 }, { action: "refuse", readers: 2, maxReaders: 2 }],
    [
      "outside, shard over its bound: refuse",
      { readers: 3 },
      { action: "refuse", readers: 3, maxReaders: 2 },
    ],
    ["outside, room for another reader: own reader", {}, { action: "start-own" }],
  ])("%s", (_, change, decision) => {
    expect(routeRead({ ...BASE, ...change })).toEqual(decision);
  });

  it("reads the window and the followers only when the decision needs them", () => {
    const read: string[] = [];
    const snapshot: ReadSnapshot = {
      ...BASE,
      sharedKey: "after:10",
      get held() {
        read.push("held");
        return undefined;
      },
      get othersAttached() {
        read.push("othersAttached");
        return true;
      },
    };
    expect(routeRead(snapshot)).toEqual({ action: "fetch-shared" });
    expect(read).toEqual(["held"]);
  });
});
