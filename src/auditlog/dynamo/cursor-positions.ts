import { encodeCursor, type Cursor } from "../../cursor/cursor.js";
import type { ShardGraph } from "./shard-graph.js";

/**
 * The value that marks a shard reached but not yet read from: its parent has been read to the end and
 * nothing of its own has been delivered. Real sequence numbers have at least 21 digits, so "0" is never
 * one of them.
 */
export const SHARD_START = "0";

export function isShardStart(sequenceNumber: string): boolean {
  return /^0+$/.test(sequenceNumber);
}

/**
 * The cursor of a DynamoDB stream as the reader advances it. Each entry is the sequence number of the last
 * record delivered from a shard (or SHARD_START). What the entries mean together:
 *
 * - a shard with an entry is resumed after that sequence number;
 * - a shard above an entry (its parent, grandparent, ...) has been read to its end, so it needs no entry
 *   of its own: once a shard is finished and its children are known, its entry is replaced by SHARD_START
 *   entries for the children, which keeps the cursor as small as the frontier being read;
 * - a shard with no entry and nothing below it has not been read from.
 */
export class CursorPositions {
  private readonly entries: Map<string, string>;
  #version = 0;

  constructor(initial: Iterable<readonly [string, string]> = []) {
    this.entries = new Map(initial);
  }

  /** Changes whenever an entry does: equal versions encode to equal cursors. */
  get version(): number {
    return this.#version;
  }

  get size(): number {
    return this.entries.size;
  }

  get(shard: string): string | undefined {
    return this.entries.get(shard);
  }

  has(shard: string): boolean {
    return this.entries.has(shard);
  }

  /** A record from `shard` has been delivered. */
  deliver(shard: string, sequenceNumber: string): void {
    this.entries.set(shard, sequenceNumber);
    this.#version++;
  }

  /** Drops a shard's entry (its position has been given up, e.g. trimmed and skipped). */
  forget(shard: string): void {
    if (this.entries.delete(shard)) this.#version++;
  }

  /**
   * Folds in what is known: finished shards with known children give way to SHARD_START entries for the
   * children, and entries with an entry below them are dropped.
   */
  settle(graph: ShardGraph, isFinished: (shard: string) => boolean): void {
    const covered = coveredShards(this.entries.keys(), graph);
    const work = [...this.entries.keys()];
    for (let shard = work.pop(); shard !== undefined; shard = work.pop()) {
      if (!this.entries.has(shard) || !isFinished(shard)) continue;
      const children = graph.children(shard);
      if (children.length === 0) continue;
      this.entries.delete(shard);
      this.#version++;
      for (const child of children) {
        if (this.entries.has(child) || covered.has(child)) continue;
        this.entries.set(child, SHARD_START);
        work.push(child);
      }
    }
    for (const shard of coveredShards(this.entries.keys(), graph)) this.forget(shard);
  }

  toCursor(): Cursor {
    return new Map(this.entries);
  }

  encode(): string {
    return encodeCursor(this.entries);
  }
}

/** Every shard above one of `shards`: each has been read to its end. */
export function coveredShards(shards: Iterable<string>, graph: ShardGraph): Set<string> {
  const covered = new Set<string>();
  for (const shard of shards) for (const ancestor of graph.ancestors(shard)) covered.add(ancestor);
  return covered;
}
