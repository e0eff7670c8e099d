import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { utcDayStart, utcMonthStart } from "../../../src/store/postgres/schema.js";
import { type PostgresServer, startPostgres } from "../../support/postgres.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const writerScript = fileURLToPath(new URL("./crash-writer.ts", import.meta.url));

const BATCH_SIZE = 10_000;
/** Kill points, in ms after the writer hands a batch to the sink. */
const KILL_DELAYS_MS = [0, 10, 25, 40, 60, 90];

/**
 * Per rollup (daily, monthly), its rows not derived from a stored event and the stored events' rows
 * missing from it.
 */
const ROLLUP_AGAINST_EVENTS = (() => {
  const counts = (table: string, grain: (expression: string) => string, name: string) => {
    const projected = `SELECT tenant, ${grain("time")}, user_kind, protocol, "user" FROM events WHERE "user" <> ''`;
    const rollup = `SELECT tenant, time, user_kind, protocol, "user" FROM ${table}`;
    return `(SELECT count(*) FROM (${rollup} EXCEPT ${projected}) AS e)::int AS ${name}_extra,
    (SELECT count(*) FROM (${projected} EXCEPT ${rollup}) AS m)::int AS ${name}_missing`;
  };
  return `SELECT ${counts("daily_activity", utcDayStart, "daily")}, ${counts("monthly_activity", utcMonthStart, "monthly")}`;
})();

let server: PostgresServer;
let child: ChildProcess | undefined;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
});

afterEach(() => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) killGroup(child);
  child = undefined;
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
 * Starts a writer at `firstBatch`, waits for an acknowledgement and for the next batch to be handed to
 * the sink, lets that write run for `delayMs`, then SIGKILLs the writer. Returns the acknowledged batches.
 */
async function writeThenKill(url: string, firstBatch: number, delayMs: number): Promise<number[]> {
  const proc = spawn("npx", ["tsx", writerScript, url, String(BATCH_SIZE), String(firstBatch)], {
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
    if (match?.[1] === "writing" && acked.length >= 1 && !killing) {
      killing = true;
      setTimeout(() => killGroup(proc), delayMs);
    }
  }
  await exited;
  if (!killing) throw new Error(`writer exited before it was killed: ${stderr}`);
  return acked;
}

/**
 * Waits until the server has finished with the killed writer's connections: a statement in flight at
 * the kill still commits or rolls back on its own, so until then what the checks read could change
 * between two of them.
 */
async function writerSessionsGone(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const sessions = await server.query(
      "crash",
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = 'crash' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    if ((sessions.rows[0] as { n: number }).n === 0) return;
    if (attempt >= 200) throw new Error("the killed writer's sessions are still open on the server");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("PostgresSink under SIGKILL of the writer", () => {
  it("leaves every batch wholly present or wholly absent, its rollup rows with it, and every acknowledged batch present", async () => {
    const url = await server.createDatabase("crash");
    const acknowledged = new Set<number>();
    let next = 0;
    for (const delayMs of KILL_DELAYS_MS) {
      // Restart at the first unacknowledged batch, as a reporter would, so a batch cut off by the kill
      // is re-sent on top of whatever it left behind.
      const acked = await writeThenKill(url, next, delayMs);
      for (const batch of acked) acknowledged.add(batch);
      next = Math.max(...acked) + 1;
      await writerSessionsGone();

      const result = await server.query(
        "crash",
        `SELECT split_part(id, '-', 1) AS batch, count(*)::int AS n, count(DISTINCT id)::int AS ids
         FROM events GROUP BY batch ORDER BY batch`,
      );
      const counts = new Map(
        (result.rows as { batch: string; n: number; ids: number }[]).map((r) => {
          expect(r.ids).toBe(r.n);
          return [Number(r.batch.slice(1)), r.n];
        }),
      );
      for (const [batch, n] of counts) expect({ batch, n }).toEqual({ batch, n: BATCH_SIZE });
      for (const batch of acknowledged) expect(counts.get(batch)).toBe(BATCH_SIZE);
      // The rollup went with its batch: exactly the distinct projection of the stored events.
      expect((await server.query("crash", ROLLUP_AGAINST_EVENTS)).rows).toEqual([
        { daily_extra: 0, daily_missing: 0, monthly_extra: 0, monthly_missing: 0 },
      ]);
      const rollupBatches = await server.query(
        "crash",
        `SELECT DISTINCT split_part("user", '-', 1) AS batch FROM daily_activity ORDER BY batch`,
      );
      expect(
        (rollupBatches.rows as { batch: string }[])
          .map((r) => Number(r.batch.slice(1)))
          .sort((a, b) => a - b),
      ).toEqual([...counts.keys()].sort((a, b) => a - b));
    }
  }, 120_000);
});
