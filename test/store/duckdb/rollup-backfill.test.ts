import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FailedPreconditionError } from "../../../src/errors/errors.js";
import { DAY_MS, parseMonthRange } from "../../../src/mau/calendar.js";
import { type ActivityRelation, monthlyMauSql } from "../../../src/mau/sql/metrics.js";
import { checkMonthly } from "../../../src/mau/usage-query.js";
import { duckDbDialect } from "../../../src/store/duckdb/duckdb-dialect.js";
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { DuckDbUsageQueries } from "../../../src/store/duckdb/duckdb-usage-queries.js";
import { migrate } from "../../../src/store/duckdb/schema.js";
import { captureLogs } from "../../support/log-capture.js";
import { runCli } from "../../support/cli.js";
import { expectedRollup, type LegacyEvent, legacyEvents, rollupKey } from "../legacy-events.js";
import { createV1Database } from "./v1-database.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const childScript = fileURLToPath(new URL("./backfill-child.ts", import.meta.url));

/** 2023-12-20: the events span a year's end and two month ends. */
const FIRST_DAY = Date.UTC(2023, 11, 20);

let dir: string;
let child: ChildProcess | undefined;
const opened: DuckDbSink[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duckdb-backfill-"));
});

afterEach(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) killGroup(child);
  child = undefined;
  for (const sink of opened.splice(0)) await sink.close();
  await rm(dir, { recursive: true, force: true });
});

function killGroup(proc: ChildProcess): void {
  try {
    process.kill(-proc.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

async function open(path: string, logger = captureLogs("info").logger): Promise<DuckDbSink> {
  // A killed process's file lock goes with it; retry while the kernel tears it down.
  for (let attempt = 0; ; attempt++) {
    try {
      const sink = await DuckDbSink.open(path, { logger, backfill: { progressIntervalMs: 0 } });
      opened.push(sink);
      return sink;
    } catch (err) {
      if (!(err instanceof FailedPreconditionError) || attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS();
}

async function rollup(sink: DuckDbSink): Promise<string[]> {
  const found = await rows(
    await sink.queryConnection(),
    `SELECT tenant, epoch_ms(time) AS day, user_kind, protocol, "user" FROM daily_activity`,
  );
  return found
    .map((r) =>
      rollupKey(
        r.tenant as string,
        Number(r.day),
        r.user_kind as number,
        r.protocol as string,
        r.user as string,
      ),
    )
    .sort();
}

async function backfillRow(sink: DuckDbSink): Promise<Record<string, unknown>[]> {
  return rows(
    await sink.queryConnection(),
    "SELECT epoch_ms(first_day) AS first, epoch_ms(next_day) AS next, epoch_ms(last_day) AS last FROM daily_activity_backfill",
  );
}

/** Monthly MAU per protocol, humans and bots, over the rollup or the raw events, as sorted JSON rows. */
async function monthlyMau(sink: DuckDbSink, months: string, relation: ActivityRelation): Promise<string[]> {
  const query = monthlyMauSql(
    duckDbDialect,
    checkMonthly({ months: parseMonthRange(months), includeBots: true }),
    relation,
  );
  const reader = await (await sink.queryConnection()).runAndReadAll(query.sql, [...query.params]);
  return reader
    .getRowObjectsJS()
    .map((r) => JSON.stringify(r, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)))
    .sort();
}

describe("DuckDB rollup backfill", () => {
  it("migration 2 records the span of UTC days the stored events cover", async () => {
    const path = join(dir, "v1.duckdb");
    const events = legacyEvents(FIRST_DAY, 40, 20);
    await createV1Database(path, events);
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    try {
      await migrate(conn);
      const days = events.map((e) => Math.floor(e.timeMs / DAY_MS) * DAY_MS);
      expect(
        await rows(
          conn,
          "SELECT epoch_ms(first_day) AS first, epoch_ms(next_day) AS next, epoch_ms(last_day) AS last FROM daily_activity_backfill",
        ),
      ).toEqual([
        {
          first: BigInt(Math.min(...days)),
          next: BigInt(Math.min(...days)),
          last: BigInt(Math.max(...days)),
        },
      ]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it("builds the rollup of a version 1 database exactly on open, logging progress, then drops the row", async () => {
    const path = join(dir, "v1.duckdb");
    const events = legacyEvents(FIRST_DAY, 75, 40);
    await createV1Database(path, events);
    const logs = captureLogs("info");
    const sink = await open(path, logs.logger);
    await expect(sink.backfill).resolves.toBe("complete");
    expect(await rollup(sink)).toEqual(expectedRollup(events));
    expect(await backfillRow(sink)).toEqual([]);
    expect(await monthlyMau(sink, "2023-12..2024-03", "rollup")).toEqual(
      await monthlyMau(sink, "2023-12..2024-03", "events"),
    );
    const started = logs.records.find((r) => r.msg.startsWith("building the daily activity rollup from"));
    expect(started).toMatchObject({ daysDone: 0, days: 75 });
    const progress = logs.records.filter((r) => r.msg === "building the daily activity rollup");
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.at(-1)).toMatchObject({ daysDone: 74, days: 75 });
    expect(progress.every((r) => typeof r.eventsPerSecond === "number")).toBe(true);
    expect(logs.records.find((r) => r.msg.startsWith("daily activity rollup built"))).toMatchObject({
      days: 75,
      events: events.length,
    });
  });

  it("skips the empty days of a sparse span", async () => {
    const path = join(dir, "sparse.duckdb");
    const events = [
      ...legacyEvents(Date.UTC(2001, 0, 1), 1, 5),
      ...legacyEvents(Date.UTC(2024, 0, 1), 2, 5, 9, "late"),
    ];
    await createV1Database(path, events);
    const logs = captureLogs("info");
    const sink = await open(path, logs.logger);
    await expect(sink.backfill).resolves.toBe("complete");
    expect(await rollup(sink)).toEqual(expectedRollup(events));
    expect(logs.records.filter((r) => r.msg === "building the daily activity rollup").length).toBeLessThan(5);
  });

  it("opens a new database with nothing to build", async () => {
    const sink = await open(join(dir, "new.duckdb"));
    await expect(sink.backfill).resolves.toBe("complete");
    expect(await backfillRow(sink)).toEqual([]);
  });

  it("resumes where a killed build stopped, ends exact, and refuses MAU and retention meanwhile", async () => {
    const path = join(dir, "killed.duckdb");
    const days = 500;
    const events = legacyEvents(Date.UTC(2022, 0, 1), days, 4);
    await createV1Database(path, events);
    await buildThenKill(path, 30);

    // Read-only, as `mau` opens it: the row is there, part of the way.
    const queries = await openReadOnly(path);
    const months = { months: parseMonthRange("2022-01") };
    let done: number;
    try {
      const refused = queries.monthlyActiveUsers(months);
      await expect(refused).rejects.toThrow(FailedPreconditionError);
      const message = await refused.then(
        () => "",
        (err: Error) => err.message,
      );
      const match =
        /^the daily activity rollup is being built from the stored events \((\d+) of (\d+) days done\); MAU is available once it completes$/.exec(
          message,
        );
      expect(match, message).not.toBeNull();
      done = Number(match![1]);
      expect(done).toBeGreaterThanOrEqual(30);
      expect(done).toBeLessThan(days);
      expect(Number(match![2])).toBe(days);
      await expect(
        queries.rollingActiveUsers({ from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 0, 5), windowDays: 30 }),
      ).rejects.toThrow(/being built/);
    } finally {
      await queries.close();
    }
    const cli = await runCli(["mau", "--sink", `duckdb:${path}`, "--month", "2022-01"]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toBe("");
    expect(cli.stderr).toMatch(
      /^error: the daily activity rollup is being built from the stored events \(\d+ of 500 days done\); MAU is available once it completes\n$/,
    );

    const logs = captureLogs("info");
    const sink = await open(path, logs.logger);
    // Queued behind the first day of the resumed build, with days still to go.
    await expect(sink.expireEvents(new Date(Date.UTC(2030, 0, 1)))).resolves.toEqual({
      deleted: 0,
      deferred: true,
    });
    await expect(sink.backfill).resolves.toBe("complete");
    const resumed = logs.records.find((r) => r.msg.startsWith("building the daily activity rollup from"));
    expect(resumed).toMatchObject({ daysDone: done, days });
    expect(await rollup(sink)).toEqual(expectedRollup(events));
    expect(await backfillRow(sink)).toEqual([]);
    await sink.close();

    const after = await openReadOnly(path);
    try {
      await expect(after.monthlyActiveUsers(months)).resolves.not.toHaveLength(0);
    } finally {
      await after.close();
    }
  }, 120_000);

  it("refuses MAU on a version 1 file opened read-only, which it cannot migrate", async () => {
    const path = join(dir, "v1.duckdb");
    await createV1Database(path, legacyEvents(FIRST_DAY, 3, 5));
    const queries = await DuckDbUsageQueries.open(path);
    try {
      await expect(queries.monthlyActiveUsers({ months: parseMonthRange("2023-12") })).rejects.toThrow(
        /predates the daily activity rollup/,
      );
    } finally {
      await queries.close();
    }
  });
});

describe("DuckDB event retention", () => {
  it("deletes exactly the raw events before the instant, keeping the rollup and so monthly MAU", async () => {
    const path = join(dir, "retention.duckdb");
    const events = legacyEvents(FIRST_DAY, 75, 40);
    await createV1Database(path, events);
    const sink = await open(path);
    await sink.backfill;
    const months = "2023-12..2024-03";
    const mauBefore = await monthlyMau(sink, months, "rollup");
    const before = new Date(Date.UTC(2024, 1, 3, 12, 30));
    const old = events.filter((e) => e.timeMs < before.getTime());
    expect(old.length).toBeGreaterThan(0);

    await expect(sink.expireEvents(before)).resolves.toEqual({ deleted: old.length, deferred: false });
    expect(await storedIds(sink)).toEqual(ids(events.filter((e) => e.timeMs >= before.getTime())));
    expect(await monthlyMau(sink, months, "rollup")).toEqual(mauBefore);
    expect(await monthlyMau(sink, months, "events")).not.toEqual(mauBefore);
    await expect(sink.expireEvents(before)).resolves.toEqual({ deleted: 0, deferred: false });
  });

  it("refuses once the sink is closed", async () => {
    const sink = await open(join(dir, "closed.duckdb"));
    await sink.close();
    await expect(sink.expireEvents(new Date())).rejects.toThrow(/closed/);
  });
});

function ids(events: readonly LegacyEvent[]): string[] {
  return events.map((e) => `${e.tenant}/${e.id}`).sort();
}

async function storedIds(sink: DuckDbSink): Promise<string[]> {
  const found = await rows(await sink.queryConnection(), "SELECT tenant, id FROM events");
  return found.map((r) => `${r.tenant as string}/${r.id as string}`).sort();
}

async function openReadOnly(path: string): Promise<DuckDbUsageQueries> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await DuckDbUsageQueries.open(path);
    } catch (err) {
      if (!(err instanceof FailedPreconditionError) || attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Opens the file in a child process and SIGKILLs it once its progress says `days` days are built. */
async function buildThenKill(path: string, days: number): Promise<void> {
  const proc = spawn("npx", ["tsx", childScript, path], {
    cwd: repoRoot,
    detached: true,
    stdio: ["pipe", "ignore", "pipe"],
  });
  child = proc;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  let killed = false;
  let log = "";
  for await (const line of createInterface({ input: proc.stderr })) {
    log += `${line}\n`;
    let record: { msg?: string; daysDone?: number };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue;
    }
    if (!killed && record.msg === "building the daily activity rollup" && (record.daysDone ?? 0) >= days) {
      killed = true;
      killGroup(proc);
    }
  }
  await exited;
  if (!killed) throw new Error(`the build ended before it was killed:\n${log}`);
}
