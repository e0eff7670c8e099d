import type { ShardDescription } from "./streams-client.js";

/** A shard as the reader needs it: its place in the tree, and whether it still receives records. */
export interface ShardInfo {
  id: string;
  /** The shard this one was split or rolled over from; it may have left the stream. */
  parentId?: string;
  startingSequenceNumber?: string;
  /** Has an ending sequence number: no record will be added. */
  closed: boolean;
}

export function shardInfo(description: ShardDescription): ShardInfo {
  const info: ShardInfo = { id: description.shardId, closed: description.endingSequenceNumber !== undefined };
  if (description.parentShardId !== undefined) info.parentId = description.parentShardId;
  if (description.startingSequenceNumber !== undefined) {
    info.startingSequenceNumber = description.startingSequenceNumber;
  }
  return info;
}

/**
 * The shard tree of one stream: each shard has at most one parent (DynamoDB splits and rolls shards over;
 * it never merges them). Immutable.
 */
export class ShardGraph {
  private readonly shards: ReadonlyMap<string, ShardInfo>;
  private readonly childIds: ReadonlyMap<string, readonly string[]>;

  constructor(shards: Iterable<ShardInfo>) {
    const byId = new Map<string, ShardInfo>();
    for (const shard of shards) byId.set(shard.id, shard);
    const children = new Map<string, string[]>();
    for (const shard of byId.values()) {
      if (shard.parentId === undefined) continue;
      const list = children.get(shard.parentId);
      if (list) list.push(shard.id);
      else children.set(shard.parentId, [shard.id]);
    }
    for (const list of children.values()) list.sort();
    this.shards = byId;
    this.childIds = children;
  }

  get size(): number {
    return this.shards.size;
  }

  has(id: string): boolean {
    return this.shards.has(id);
  }

  get(id: string): ShardInfo | undefined {
    return this.shards.get(id);
  }

  /** Shards in the graph, in id order (DynamoDB ids start with the creation time, so roughly oldest first). */
  all(): ShardInfo[] {
    return [...this.shards.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Known children of a shard (including children of a shard that is itself no longer in the graph). */
  children(id: string): readonly string[] {
    return this.childIds.get(id) ?? [];
  }

  /**
   * The ids above a shard, nearest first, as far as the graph knows: the last one may be a parent that has
   * left the graph (its own parent is then unknown).
   */
  ancestors(id: string): string[] {
    const result: string[] = [];
    const seen = new Set<string>([id]);
    let parent = this.shards.get(id)?.parentId;
    while (parent !== undefined && !seen.has(parent)) {
      result.push(parent);
      seen.add(parent);
      parent = this.shards.get(parent)?.parentId;
    }
    return result;
  }

  /**
   * This graph updated with a fresh listing: listed shards take their listed form; shards that left the
   * listing are kept only when `keep` says so (the reader still holds state for them).
   */
  update(listing: Iterable<ShardInfo>, keep: (id: string) => boolean): ShardGraph {
    const next = new Map<string, ShardInfo>();
    for (const shard of this.shards.values()) if (keep(shard.id)) next.set(shard.id, shard);
    for (const shard of listing) next.set(shard.id, shard);
    return new ShardGraph(next.values());
  }
}

/**
 * The creation time (ms since the epoch) DynamoDB writes into shard ids
 * (`shardId-00000001700000000000-0a1b2c3d`), or undefined for ids of another form.
 */
export function shardCreationTime(id: string): number | undefined {
  const match = /^shardId-(\d{20})-[0-9a-f]+$/.exec(id);
  return match ? Number(match[1]) : undefined;
}
