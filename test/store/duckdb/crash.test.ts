import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { FailedPreconditionError } from "../../../src/errors/errors.js";
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { utcDayStart } from "../../../src/store/duckdb/schema.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const writerScript = fileURLToPath(new URL("./crash-writer.ts", import.meta.url));

const BATCH_SIZE = 10_000;
/** Kill points, in ms after the writer hands a batch to the sink (a batch takes about 100 ms). */
const KILL_DELAYS_MS = [0, 10, 25, 40, 60, 90];

/** Rollup rows not derived from a stored event, and stored events' rows missing from the rollup. */
const ROLLUP_AGAINST_EVENTS = (() => {
  const projected = `SELECT tenant, ${utcDayStart("time")}, user_kind, protocol, "user" FROM events WHERE "user" <> ''`;
  const rollup = `SELECT tenant, time, user_kind, protocol, "user" FROM daily_activity`;
  return `SELECT (SELECT count(*) FROM (${rollup} EXCEPT ${projected}))::INTEGER AS extra,
    (SELECT count(*) FROM (${projected} EXCEPT ${rollup}))::INTEGER AS missing`;
})();

let dir: string | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) killGroup(child);
  child = undefined;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The writer runs under npx and tsx in its own process group; SIGKILL reaches all of them at once. */
function killGroup(proc: ChildProcess): void {
  try {
    process.kill(-proc.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * Starts a writer at `firstBatch`, waits for `acks` acknowledgements and for the next batch to be handed
 * to the sink, lets that write run for `delayMs`, then SIGKILLs the writer. Returns the acknowledged
 * batches (the last may be acknowledged during the delay).
 */
async function writeThenKill(
  path: string,
  firstBatch: number,
  acks: number,
  delayMs: number,
): Promise<number[]> {
  const proc = spawn("npx", ["tsx", writerScript, path, String(BATCH_SIZE), String(firstBatch)], {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  let stderr = "";
  proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const acked: number[] = [];
  let killing = false;
  for await (const line of createInterface({ input: proc.stdout })) {
    const match = /^(writing|acked) (\d+)$/.exec(line);
    if (match?.[1] === "acked") acked.push(Number(match[2]));
    if (match?.[1] === "writing" && acked.length >= acks && !killing) {
      killing = true;
      setTimeout(() => killGroup(proc), delayMs);
    }
  }
  await exited;
  if (!killing) throw new Error(`writer exited before it was killed: ${stderr}`);
  return acked;
}

/** The killed writer's file lock goes with its process; retry while the kernel tears it down. */
async function reopen(path: string): Promise<DuckDbSink> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await DuckDbSink.open(path);
    } catch (err) {
      if (!(err instanceof FailedPreconditionError) || attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe("DuckDbSink under SIGKILL", () => {
  it("leaves every batch wholly present or wholly absent, its rollup rows with it, and every acknowledged batch present", async () => {
    dir = await mkdtemp(join(tmpdir(), "duckdb-crash-"));
    const path = join(dir, "crash.duckdb");
    const acknowledged = new Set<number>();
    let next = 0;
    for (const delayMs of KILL_DELAYS_MS) {
      // Restart at the first unacknowledged batch, as a reporter would, so a batch torn by the kill would
      // be re-sent on top of whatever it left behind.
      const acked = await writeThenKill(path, next, 1, delayMs);
      for (const batch of acked) acknowledged.add(batch);
      next = Math.max(...acked) + 1;

      const sink = await reopen(path);
      try {
        const conn = await sink.queryConnection();
        const reader = await conn.runAndReadAll(
          `SELECT split_part(id, '-', 1) AS batch, count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids
           FROM events GROUP BY batch ORDER BY batch`,
        );
        const counts = new Map(
          (reader.getRowObjectsJS() as { batch: string; n: number; ids: number }[]).map((r) => {
            expect(r.ids).toBe(r.n);
            return [Number(r.batch.slice(1)), r.n];
          }),
        );
        for (const [batch, n] of counts) expect({ batch, n }).toEqual({ batch, n: BATCH_SIZE });
        for (const batch of acknowledged) expect(counts.get(batch)).toBe(BATCH_SIZE);
        // The rollup went with its batch: exactly the distinct projection of the stored events.
        const rollup = await conn.runAndReadAll(ROLLUP_AGAINST_EVENTS);
        expect(rollup.getRowObjectsJS()).toEqual([{ extra: 0, missing: 0 }]);
        const rollupBatches = await conn.runAndReadAll(
          `SELECT DISTINCT split_part("user", '-', 1) AS batch FROM daily_activity ORDER BY batch`,
        );
        expect(rollupBatches.getRows().map(([batch]) => Number(String(batch).slice(1)))).toEqual(
          [...counts.keys()].sort((a, b) => a - b),
        );
      } finally {
        await sink.close();
      }
    }
  }, 120_000);
});
