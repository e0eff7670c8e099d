import { TRIM_HORIZON, type ResumePlan, type StartPoint } from "./resume-plan.js";
import { shardCreationTime, type ShardGraph, type ShardInfo } from "./shard-graph.js";

/**
 * - waiting: its parent still has records to deliver;
 * - readable: may be read (when due);
 * - finished: read to its end (or nothing to read, e.g. closed shards at a `latest` start);
 * - caught-up: (until-caught-up streams) open at the start and read up to the records of the start;
 * - excluded: (until-caught-up streams) appeared after the start, so holds only later records.
 */
export type ShardStatus = "waiting" | "readable" | "finished" | "caught-up" | "excluded";

export type ScheduleStep =
  | { kind: "read"; shard: string }
  /** Nothing is due before `until` (undefined: nothing is readable until the listing changes). */
  | { kind: "wait"; until: number | undefined }
  /** Until-caught-up stream: nothing left to read. */
  | { kind: "done" };

interface Run {
  status: ShardStatus;
  start: StartPoint;
  openAtStart: boolean;
  dueAt: number;
  turn: number;
}

/**
 * Which shard to read next. A shard becomes readable only once its parent is finished (or has left the
 * stream); readable shards are served round-robin among those due, so one busy shard cannot starve the
 * others. Pure: the caller reports what each read found.
 */
export class ShardSchedule {
  private currentGraph: ShardGraph;
  private readonly runs = new Map<string, Run>();
  private turns = 0;

  /**
   * @param startedAt (until-caught-up streams) when the stream started: a shard listed later whose id
   *   dates it at or before then was in the table at the start (the first listing may predate it)
   */
  constructor(
    graph: ShardGraph,
    plan: Pick<ResumePlan, "starts" | "finished">,
    private readonly untilCaughtUp: boolean,
    private readonly startedAt = -Infinity,
  ) {
    this.currentGraph = graph;
    for (const shard of graph.all()) {
      const finished = plan.finished.has(shard.id);
      const start = plan.starts.get(shard.id) ?? TRIM_HORIZON;
      this.runs.set(shard.id, {
        status: finished ? "finished" : "waiting",
        start,
        openAtStart: !shard.closed,
        dueAt: 0,
        // On a resume, shards the cursor has delivered from go after those it has not delivered from yet:
        // those may well be read to their end, so the first events come sooner from these.
        turn: start.type === "AFTER_SEQUENCE_NUMBER" ? 1 : 0,
      });
    }
    this.promote();
  }

  get graph(): ShardGraph {
    return this.currentGraph;
  }

  status(shard: string): ShardStatus | undefined {
    return this.runs.get(shard)?.status;
  }

  isFinished(shard: string): boolean {
    return this.runs.get(shard)?.status === "finished";
  }

  /** Still to be read in this stream (waiting or readable). */
  isPending(shard: string): boolean {
    const status = this.runs.get(shard)?.status;
    return status === "waiting" || status === "readable";
  }

  start(shard: string): StartPoint {
    return this.runs.get(shard)?.start ?? TRIM_HORIZON;
  }

  wasOpenAtStart(shard: string): boolean {
    return this.runs.get(shard)?.openAtStart ?? false;
  }

  readableCount(): number {
    let count = 0;
    for (const run of this.runs.values()) if (run.status === "readable") count++;
    return count;
  }

  /**
   * Folds in a fresh listing. Shards seen for the first time start at TRIM_HORIZON (a child's first
   * records are only there) or, in an until-caught-up stream, are excluded unless their id dates them at
   * or before the start. Finished shards that left the listing are forgotten unless `keep` holds them.
   */
  refresh(listing: readonly ShardInfo[], keep: (shard: string) => boolean = () => false): void {
    this.currentGraph = this.currentGraph.update(listing, (id) => this.isPending(id) || keep(id));
    for (const id of [...this.runs.keys()]) if (!this.currentGraph.has(id)) this.runs.delete(id);
    for (const shard of listing) {
      if (this.runs.has(shard.id)) continue;
      const created = shardCreationTime(shard.id);
      const atStart = created !== undefined && created <= this.startedAt;
      this.runs.set(shard.id, {
        status: this.untilCaughtUp && !atStart ? "excluded" : "waiting",
        start: TRIM_HORIZON,
        openAtStart: this.untilCaughtUp && atStart,
        dueAt: 0,
        turn: 0,
      });
    }
    this.promote();
  }

  /**
   * The next shard to read, or how long nothing is due. Shards in `busy` (being read) are passed over:
   * "done" and an undefined wait then speak of the others only.
   */
  next(now: number, busy?: ReadonlySet<string>): ScheduleStep {
    let best: [string, Run] | undefined;
    let earliest: number | undefined;
    for (const entry of this.runs) {
      const run = entry[1];
      if (run.status !== "readable" || busy?.has(entry[0]) === true) continue;
      if (run.dueAt > now) {
        earliest = earliest === undefined ? run.dueAt : Math.min(earliest, run.dueAt);
        continue;
      }
      if (
        best === undefined ||
        run.turn < best[1].turn ||
        (run.turn === best[1].turn && entry[0] < best[0])
      ) {
        best = entry;
      }
    }
    if (best) return { kind: "read", shard: best[0] };
    if (earliest !== undefined) return { kind: "wait", until: earliest };
    return this.untilCaughtUp ? { kind: "done" } : { kind: "wait", until: undefined };
  }

  /** The shard was read; it is due again at `dueAt` and goes to the back of the round. */
  served(shard: string, dueAt: number): void {
    const run = this.runs.get(shard);
    if (!run) return;
    run.turn = ++this.turns;
    run.dueAt = dueAt;
  }

  /** The shard was read to its end: its children may now be read. */
  finish(shard: string): void {
    const run = this.runs.get(shard);
    if (!run) return;
    run.status = "finished";
    this.promote();
  }

  /** Until-caught-up stream: this shard has delivered what it held at the start. */
  catchUp(shard: string): void {
    const run = this.runs.get(shard);
    if (run && run.status === "readable") run.status = "caught-up";
  }

  /** Reading resumes from `start` (e.g. TRIM_HORIZON after a trimmed position was skipped). */
  restart(shard: string, start: StartPoint): void {
    const run = this.runs.get(shard);
    if (run) run.start = start;
  }

  private promote(): void {
    for (const [id, run] of this.runs) {
      if (run.status !== "waiting") continue;
      const parent = this.currentGraph.get(id)?.parentId;
      const parentRun = parent === undefined ? undefined : this.runs.get(parent);
      if (parentRun === undefined || parentRun.status === "finished") run.status = "readable";
    }
  }
}
