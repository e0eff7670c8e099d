import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMau } from "../support/expected-mau.js";
import { runCli } from "../support/cli.js";
import { startCli, type RunningCli } from "../support/processes.js";
import { byMode, figure, random, SEED } from "./support/mode.js";
import { activeEventIds } from "./support/oracle.js";
import {
  afterLines,
  mauRows,
  reportArgs,
  serveArgs,
  Service,
  sinkRows,
  tenantsArgs,
  workDir,
  writeAuditLog,
  writeCredentials,
  type Credentials,
} from "./support/pipeline.js";

const MONTHS = "2026-06..2026-08";
const BATCH = ["--batch-size", "200", "--batch-interval", "500"];
/** Smaller batches for the reporter's kills: more moments to kill it at. */
const SMALL_BATCH = ["--batch-size", "50", "--batch-interval", "500"];

/** A pipeline of processes for one crash scenario: its own sink and cursor, the shared audit log. */
interface Run {
  dir: string;
  serve: Service;
  tenants: Service;
  reporterStderr: string[];
  report: (extra: readonly string[]) => RunningCli;
}

/**
 * SIGKILL of each process at random moments (RELIABILITY_SEED reproduces them), restarting it each time:
 * at the end the sink holds every active event exactly once and MAU equals the MAU computed directly from
 * the generated events.
 */
describe("crash: SIGKILL at random moments", () => {
  const EVENTS = byMode(16_000, 100_000);
  let root: string;
  let cleanup: () => Promise<void>;
  let creds: Credentials;
  let lines: string[];
  let activeIds: Set<string>;
  const runs: Run[] = [];

  beforeAll(async () => {
    ({ dir: root, cleanup } = await workDir("crash"));
    creds = await writeCredentials(root, ["acme"]);
    lines = await writeAuditLog(root, { events: EVENTS, seed: SEED, users: 300 });
    activeIds = activeEventIds(lines);
  }, 120_000);

  afterAll(async () => {
    for (const run of runs) {
      await run.serve.stop();
      await run.tenants.stop();
    }
    await cleanup?.();
  });

  async function pipeline(name: string): Promise<Run> {
    const dir = join(root, name);
    await mkdir(dir);
    const serve = await Service.create(serveArgs(root, creds), /events server ready/);
    const tenants = await Service.create(tenantsArgs(dir, creds), /tenants service ready/);
    await Promise.all([serve.start(), tenants.start()]);
    const tenant = creds.tenants[0];
    if (tenant === undefined) throw new Error("no tenant");
    const reporterStderr: string[] = [];
    const run: Run = {
      dir,
      serve,
      tenants,
      reporterStderr,
      report: (extra) => {
        const cli = startCli(
          reportArgs(dir, creds, tenant, { server: serve.address, tenants: tenants.address }, [
            ...BATCH,
            ...extra,
          ]),
        );
        void cli.exited.then(() => reporterStderr.push(cli.stderr()));
        return cli;
      },
    };
    runs.push(run);
    return run;
  }

  /** Finishes with one clean run, stops the services and checks the sink against the generated events. */
  async function verify(run: Run, test: string, figures: Record<string, unknown>, started: number) {
    const last = await runCli(
      reportArgs(
        run.dir,
        creds,
        creds.tenants[0] as Credentials["tenants"][number],
        { server: run.serve.address, tenants: run.tenants.address },
        [...BATCH, "--until-caught-up"],
      ),
    );
    expect(last.code, last.stderr).toBe(0);
    expect(await run.tenants.stop()).toBe(0);
    expect(await run.serve.stop()).toBe(0);
    const rows = await sinkRows(run.dir);
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(activeIds);
    const mau = await mauRows(run.dir, MONTHS);
    expect(mau.map(({ tenant: _tenant, ...row }) => row)).toEqual(expectedMau(lines));
    // What the service stored in all its lives, against what it holds: the re-deliveries after kills.
    const stored = [...run.tenants.stderr().matchAll(/"items":(\d+)[^\n]*"msg":"batch stored"/g)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    figure(test, {
      events: EVENTS,
      activeEvents: activeIds.size,
      ...figures,
      eventsStored: stored,
      redelivered: stored - rows.length,
      rows: rows.length,
      mauHumansAllMonths: mau.filter((r) => r.user_kind === "human" && r.protocol === null).map((r) => r.mau),
      seconds: Math.round((Date.now() - started) / 1000),
    });
  }

  it("the reporter killed 20 times (at random once running, at a cursor save, after the sink stored a batch)", async () => {
    const started = Date.now();
    const run = await pipeline("reporter");
    const next = random(1);
    const kills = { random: 0, duringCursorSave: 0, duringSubmit: 0 };
    for (let k = 0; k < 20; k++) {
      const report = run.report(["--until-caught-up", ...SMALL_BATCH]);
      const kind = (["random", "duringCursorSave", "duringSubmit"] as const)[k % 3] ?? "random";
      const moment =
        kind === "random"
          ? report.waitForLog(/reporter started/, 60_000).then(() => sleep(Math.floor(next() * 250)))
          : kind === "duringCursorSave"
            ? // "batch acknowledged" is logged just before the cursor is saved.
              afterLines(report, /batch acknowledged/, 1 + Math.floor(next() * 3))
            : // Stored durably, acknowledgement not yet read by the reporter.
              afterLines(run.tenants.process, /batch stored/, 1 + Math.floor(next() * 3));
      // The log is long enough that the reporter is always still at work when its moment comes.
      const first = await Promise.race([
        moment.then(() => "moment"),
        report.exited.then((code) => `exited ${code}`),
      ]);
      expect(first, `kill ${k} (${kind}): ${report.stderr().slice(-3000)}`).toBe("moment");
      report.child.kill("SIGKILL");
      await report.exited;
      kills[kind]++;
    }
    await verify(run, "crash reporter", { kills }, started);
  });

  it("the events server killed at random moments while the reporter follows it", async () => {
    const started = Date.now();
    const run = await pipeline("serve");
    const next = random(2);
    const report = run.report([]);
    const KILLS = byMode(4, 20);
    for (let k = 0; k < KILLS; k++) {
      await sleep(200 + Math.floor(next() * 1500));
      await run.serve.kill();
      await run.serve.start();
    }
    report.child.kill("SIGTERM");
    expect(await report.exited).toBe(0);
    await verify(run, "crash events server", { kills: KILLS, reconnects: countReconnects(run) }, started);
  });

  it("the tenants service killed at random moments, also right after the sink stored a batch", async () => {
    const started = Date.now();
    const run = await pipeline("tenants");
    const next = random(3);
    const report = run.report([]);
    const KILLS = byMode(4, 20);
    for (let k = 0; k < KILLS; k++) {
      if (k % 2 === 0) await sleep(200 + Math.floor(next() * 1500));
      else await afterLines(run.tenants.process, /batch stored/, 1 + Math.floor(next() * 4));
      await run.tenants.kill();
      await run.tenants.start();
    }
    report.child.kill("SIGTERM");
    expect(await report.exited).toBe(0);
    await verify(run, "crash tenants service", { kills: KILLS }, started);
  });
});

function countReconnects(run: Run): number {
  return run.reporterStderr.join("\n").split("stream interrupted: reconnecting").length - 1;
}
