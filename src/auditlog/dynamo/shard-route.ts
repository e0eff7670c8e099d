import type { WindowPage } from "./page-window.js";
import type { ShardPosition } from "./shard-position.js";

/**
 * What a stream's read of one shard is decided on: its own side and the shard's, as they stand at the
 * moment of deciding. `held` and `othersAttached` walk the window, so a snapshot may compute them only
 * when they are read (most reads are decided before they matter).
 */
export interface ReadSnapshot {
  /** The position the stream asks for the page after. */
  at: { type: ShardPosition["type"]; key: string };
  /** The position key of this stream's own reader, when it reads on its own. */
  ownKey: string | undefined;
  /** The position key of the shard's shared reader (just after its window's newest page), when there is one. */
  sharedKey: string | undefined;
  /** The shared reader's GetRecords is in progress. */
  fetching: boolean;
  /** What the window holds after `at` that this stream has not been given (see PageWindow.lookup). */
  held: WindowPage | undefined;
  /** The window's newest page is an empty poll: the shared reader stands at the end of the shard. */
  atHead: boolean;
  /** Another stream follows the shared reader: its position is the reader's or inside the window. */
  othersAttached: boolean;
  /** GetRecords loops on the shard now, the shared one included. */
  readers: number;
  /** The most GetRecords loops the shard may have. */
  maxReaders: number;
}

/** One step of a read; every step but a page or a refusal is followed by deciding again. */
export type ReadDecision =
  /** Give the stream `page` from the window. */
  | { action: "take-window"; page: WindowPage }
  /** Wait for the shared reader's GetRecords in progress, whatever its outcome. */
  | { action: "wait-fetch" }
  /** The stream stands at the shared reader: have it read the next page, for everyone. */
  | { action: "fetch-shared" }
  /** An unopened LATEST joins the shared reader at the end of the shard: ask again at its position. */
  | { action: "follow-head" }
  /** Nobody else follows the shared reader (or there is none): start a new one at the stream's position. */
  | { action: "start-shared" }
  /** The stream's own reader reads the page. */
  | { action: "read-own" }
  /** The stream's own reader stands elsewhere, or the shared reader serves the position: give it up. */
  | { action: "drop-own" }
  /** Nobody else follows the shared reader: the stream's own reader becomes it. */
  | { action: "promote-own" }
  /** The stream is outside what the shared reader holds and others follow it: start a reader of its own. */
  | { action: "start-own" }
  /** A reader of its own would exceed the shard's bound: RESOURCE_EXHAUSTED. */
  | { action: "refuse"; readers: number; maxReaders: number };

/**
 * The next step of a stream's read of one shard. A stream reading on its own keeps doing so while the
 * shared reader reads (rather than wait for it), and otherwise rejoins the shared reader once that serves
 * its position, or takes its place when nobody else follows it. A stream without a reader of its own
 * takes, in order: a page from the window, the fetch in progress, a fetch at the shared reader's position,
 * the shared reader's head (a fresh LATEST), the shared reader itself, a reader of its own. Pure.
 */
export function routeRead(snapshot: ReadSnapshot): ReadDecision {
  const { at, ownKey, sharedKey } = snapshot;
  if (ownKey !== undefined) {
    // An unopened LATEST is the own reader's start until its first read opens it.
    if (at.type !== "LATEST" && ownKey !== at.key) return { action: "drop-own" };
    if (!snapshot.fetching) {
      if (sharedKey === undefined || !snapshot.othersAttached) return { action: "promote-own" };
      if (sharedKey === at.key || snapshot.held !== undefined) return { action: "drop-own" };
    }
    return { action: "read-own" };
  }
  const held = snapshot.held;
  if (held !== undefined) return { action: "take-window", page: held };
  if (snapshot.fetching) return { action: "wait-fetch" };
  if (sharedKey !== undefined && sharedKey === at.key) return { action: "fetch-shared" };
  if (at.type === "LATEST" && sharedKey !== undefined && snapshot.atHead) return { action: "follow-head" };
  if (sharedKey === undefined || !snapshot.othersAttached) return { action: "start-shared" };
  if (snapshot.readers >= snapshot.maxReaders) {
    return { action: "refuse", readers: snapshot.readers, maxReaders: snapshot.maxReaders };
  }
  return { action: "start-own" };
}
