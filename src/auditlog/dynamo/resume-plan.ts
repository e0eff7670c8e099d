import type { StartPosition } from "../audit-log.js";
import type { Cursor } from "../../cursor/cursor.js";
import { quote } from "../../text/quote.js";
import { InvalidArgumentError } from "../../errors/errors.js";
import { coveredShards, isShardStart } from "./cursor-positions.js";
import { shardCreationTime, type ShardGraph } from "./shard-graph.js";

/** Where reading a shard begins. */
export type StartPoint =
  | { type: "TRIM_HORIZON" }
  | { type: "LATEST" }
  | { type: "AT_SEQUENCE_NUMBER"; sequenceNumber: string }
  | { type: "AFTER_SEQUENCE_NUMBER"; sequenceNumber: string };

export const TRIM_HORIZON: StartPoint = { type: "TRIM_HORIZON" };
export const LATEST: StartPoint = { type: "LATEST" };

export interface ResumeInput {
  cursor: Cursor;
  /** The stream's shards, as listed now. */
  graph: ShardGraph;
  /** Applies only to a fresh start (empty cursor). */
  startPosition: StartPosition;
  /** When the stream was created (ms since the epoch), if known. */
  streamCreatedAt?: number;
  /** For messages. */
  table: string;
}

export interface ResumePlan {
  /** The cursor's entries for listed shards, without entries made redundant by an entry below them. */
  positions: Map<string, string>;
  /** Where each listed shard that still has to be read begins (it may still wait for its parent). */
  starts: Map<string, StartPoint>;
  /** Listed shards with nothing left to read. */
  finished: Set<string>;
  /** Positions the cursor holds in shards that have left the stream: their records were trimmed. */
  trimmed: { shardId: string; sequenceNumber: string }[];
}

/**
 * Decides, from a cursor and the current shard listing, where every shard resumes.
 *
 * - Empty cursor: with `trim_horizon` every shard is read from TRIM_HORIZON; with `latest` closed shards are
 *   skipped and open ones start at LATEST.
 * - A listed shard with an entry resumes AFTER_SEQUENCE_NUMBER it; with SHARD_START, AT its starting
 *   sequence number, so that trimming there is detected rather than silently skipped.
 * - A listed shard above an entry is finished. Any other listed shard has not been read: TRIM_HORIZON.
 * - An entry for a shard that has left the stream is dropped when the cursor holds an entry below it, and
 *   is a trimmed position when the shard belongs to this stream (a listed shard descends from it, or its
 *   id dates it between the stream's creation and its oldest listed shard).
 *
 * @throws InvalidArgumentError when the cursor names a shard this stream never had.
 */
export function planResume(input: ResumeInput): ResumePlan {
  const { cursor, graph } = input;
  const starts = new Map<string, StartPoint>();
  const finished = new Set<string>();
  if (cursor.size === 0) {
    for (const shard of graph.all()) {
      if (input.startPosition === "trim_horizon") starts.set(shard.id, TRIM_HORIZON);
      else if (shard.closed) finished.add(shard.id);
      else starts.set(shard.id, LATEST);
    }
    return { positions: new Map(), starts, finished, trimmed: [] };
  }

  const listedEntries = [...cursor.keys()].filter((shard) => graph.has(shard));
  const covered = coveredShards(listedEntries, graph);
  const parentsOfListed = new Set<string>();
  for (const shard of graph.all())
    for (const ancestor of graph.ancestors(shard.id)) parentsOfListed.add(ancestor);
  const oldestListed = minimum(graph.all().map((shard) => shardCreationTime(shard.id)));

  const positions = new Map<string, string>();
  const trimmed: ResumePlan["trimmed"] = [];
  const foreign: string[] = [];
  for (const [shard, sequenceNumber] of cursor) {
    if (graph.has(shard)) {
      if (!covered.has(shard)) positions.set(shard, sequenceNumber);
    } else if (covered.has(shard)) {
      continue;
    } else if (parentsOfListed.has(shard) || leftThisStream(shard, oldestListed, input.streamCreatedAt)) {
      trimmed.push({ shardId: shard, sequenceNumber });
    } else {
      foreign.push(shard);
    }
  }
  if (foreign.length > 0) {
    const names = foreign.slice(0, 3).map((s) => quote(s, 80));
    const more = foreign.length > 3 ? ` and ${foreign.length - 3} more` : "";
    throw new InvalidArgumentError(
      `cursor names shard ${names.join(", ")}${more}, which the stream of table ${input.table} does not have ` +
        `(a cursor from another table, or from before the stream was re-enabled?)`,
    );
  }

  for (const shard of graph.all()) {
    if (covered.has(shard.id)) {
      finished.add(shard.id);
      continue;
    }
    const entry = positions.get(shard.id);
    if (entry === undefined) starts.set(shard.id, TRIM_HORIZON);
    else if (!isShardStart(entry)) {
      starts.set(shard.id, { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: entry });
    } else if (shard.startingSequenceNumber !== undefined) {
      starts.set(shard.id, { type: "AT_SEQUENCE_NUMBER", sequenceNumber: shard.startingSequenceNumber });
    } else starts.set(shard.id, TRIM_HORIZON);
  }
  return { positions, starts, finished, trimmed };
}

/**
 * A shard that is not listed and that no listed shard descends from belongs to this stream only if it was
 * created after the stream and before every listed shard (so it has aged out).
 */
function leftThisStream(shard: string, oldestListed: number | undefined, streamCreatedAt?: number): boolean {
  const created = shardCreationTime(shard);
  if (created === undefined || oldestListed === undefined || created >= oldestListed) return false;
  // A stream's shards are created after it (CreationRequestDateTime has millisecond precision).
  return streamCreatedAt === undefined || created >= streamCreatedAt;
}

function minimum(values: (number | undefined)[]): number | undefined {
  let result: number | undefined;
  for (const value of values)
    if (value !== undefined && (result === undefined || value < result)) result = value;
  return result;
}
