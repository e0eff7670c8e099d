import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMau } from "../support/expected-mau.js";
import { DuckDbSink } from "../../src/store/duckdb/duckdb-sink.js";
import { hashToken, startTenantsServer, TenantTokens, type TenantsServer } from "../../src/tenants/index.js";
import { startCli } from "../support/processes.js";
import { byMode, figure, SEED } from "./support/mode.js";
import { activeEventIds } from "./support/oracle.js";
import { OutageSink } from "./support/outage-sink.js";
import {
  mauRows,
  reportArgs,
  serveArgs,
  Service,
  sinkRows,
  workDir,
  writeAuditLog,
  writeCredentials,
  type Credentials,
} from "./support/pipeline.js";

/**
 * The tenants service's sink fails for a while (UnavailableError on every write): the reporter backs off
 * and retries, acknowledges nothing early (its cursor stands still through the outage), and after
 * recovery the sink holds every active event and MAU is right.
 */
describe("sink outage", () => {
  const EVENTS = byMode(4_000, 20_000);
  const OUTAGE_MS = byMode(4_000, 60_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  let creds: Credentials;
  let lines: string[];
  let serve: Service;
  let tenants: TenantsServer | undefined;
  let sink: OutageSink;

  beforeAll(async () => {
    ({ dir, cleanup } = await workDir("outage"));
    creds = await writeCredentials(dir, ["acme"]);
    lines = await writeAuditLog(dir, { events: EVENTS, seed: SEED });
    serve = await Service.create(serveArgs(dir, creds), /events server ready/);
    await serve.start();
    sink = new OutageSink(await DuckDbSink.open(join(dir, "usage.duckdb")));
    const tenant = creds.tenants[0];
    if (tenant === undefined) throw new Error("no tenant");
    tenants = await startTenantsServer(sink, {
      listen: "127.0.0.1:0",
      tokens: new TenantTokens([{ id: tenant.id, tokenSha256: hashToken(tenant.token) }]),
      rateLimit: { eventsPerSecond: Infinity },
    });
  }, 120_000);

  afterAll(async () => {
    await tenants?.shutdown(1000);
    if (tenants !== undefined) await sink.close();
    await serve?.stop();
    await cleanup?.();
  });

  it(`the reporter waits out the outage, saving no cursor until the sink is back, and loses nothing`, async () => {
    const tenant = creds.tenants[0] as Credentials["tenants"][number];
    const cursorFile = join(dir, `cursor-${tenant.id}`);
    const report = startCli(
      reportArgs(dir, creds, tenant, { server: serve.address, tenants: `127.0.0.1:${tenants?.port}` }, [
        "--until-caught-up",
        "--batch-size",
        "100",
      ]),
    );
    while (sink.stored < 3) await sleep(20);
    const started = Date.now();
    sink.startOutage(OUTAGE_MS);
    await sink.firstRefusal();
    // A batch stored before the outage may still be acknowledged and checkpointed: read after that.
    await sleep(300);
    const frozen = await readFile(cursorFile, "utf8");
    const storedBefore = sink.stored;
    let polls = 0;
    while (sink.inOutage) {
      expect(await readFile(cursorFile, "utf8")).toBe(frozen);
      expect(sink.stored).toBe(storedBefore);
      polls++;
      await sleep(100);
    }
    const refusedInOutage = sink.refused;
    expect(await report.exited, report.stderr()).toBe(0);
    expect(await readFile(cursorFile, "utf8")).not.toBe(frozen);
    // Backoff, not a busy loop: doubling pauses from 0.5 s (jittered to at least half) allow this many.
    expect(refusedInOutage).toBeLessThanOrEqual(3 + Math.ceil(Math.log2(OUTAGE_MS / 250)));
    expect(report.stderr()).toMatch(/batch submission failed: retrying/);

    await tenants?.shutdown(1000);
    tenants = undefined;
    await sink.close();
    const rows = await sinkRows(dir);
    expect(new Set(rows.map((r) => r.id))).toEqual(activeEventIds(lines));
    expect(rows).toHaveLength(activeEventIds(lines).size);
    const mau = await mauRows(dir, "2026-06..2026-08");
    expect(mau.map(({ tenant: _tenant, ...row }) => row)).toEqual(expectedMau(lines));
    figure("sink outage", {
      events: EVENTS,
      outageMs: OUTAGE_MS,
      refusedWrites: refusedInOutage,
      cursorChecks: polls,
      rows: rows.length,
      recoveredAfterMs: Date.now() - started - OUTAGE_MS,
    });
  });
});
