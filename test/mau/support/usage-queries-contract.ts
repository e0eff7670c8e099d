import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import type { UsageReport } from "../../../src/gen/tenants/tenants.js";
import type { Sink } from "../../../src/store/sink.js";
import { parseMonthRange } from "../../../src/mau/calendar.js";
import type { UsageQueries } from "../../../src/mau/usage-queries.js";
import type { MauRow, RollingMauRow } from "../../../src/mau/usage-rows.js";
import { activityByTenant } from "./activity-fixtures.js";
import { referenceRolling, storedRecords } from "./reference-mau.js";

/**
 * What every UsageQueries implementation must answer on the same stored records: the sample audit
 * events plus the extra ones (activity-fixtures.ts), reduced by the reporter's activity builder, and a
 * few usage reports. `prepare` stores them through the implementation's own sink, then returns the
 * queries; `dispose` releases everything.
 */
export interface ContractTarget {
  prepare(store: (sink: Sink) => Promise<void>): Promise<UsageQueries>;
  dispose(): Promise<void>;
}

const byTenant = activityByTenant();

function at(iso: string) {
  const ms = Date.parse(iso);
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

function report(iso: string, cluster: string, users: number): UsageReport {
  return {
    time: at(iso),
    cluster,
    users: BigInt(users),
    servers: BigInt(users * 3),
    databases: 2n,
    apps: 1n,
    kubeClusters: 1n,
    desktops: 0n,
    roles: 7n,
    authConnectors: 1n,
  };
}

const ACME_PROD = "YWNtZS1wcm9kLWNsdXN0ZXItaG1hYy10b2tlbi0wMDE=";
const GLOBEX = "Z2xvYmV4LWNsdXN0ZXItaG1hYy10b2tlbi0wMDAwMDA9";

async function store(sink: Sink): Promise<void> {
  for (const [tenant, events] of byTenant) await sink.write(tenant, events);
  await sink.writeUsageReports("acme", [
    report("2026-09-01T00:00:00Z", ACME_PROD, 10),
    report("2026-09-15T00:00:00Z", "", 3),
    // Exactly at the start of October: not before it.
    report("2026-10-01T00:00:00Z", ACME_PROD, 12),
  ]);
  await sink.writeUsageReports("globex", [report("2026-10-15T00:00:00Z", GLOBEX, 7)]);
}

/** The non-zero rows as [tenant, month, kind, protocol ("all" for null), mau]. */
function nonZero(rows: readonly MauRow[]): [string, string, string, string, number][] {
  return rows
    .filter((r) => r.mau > 0)
    .map((r) => [r.tenant, r.month, r.user_kind, r.protocol ?? "all", r.mau]);
}

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

export function usageQueriesContract(name: string, target: ContractTarget): void {
  describe(`${name}: the usage queries contract`, () => {
    let queries: UsageQueries;

    beforeAll(async () => {
      queries = await target.prepare(store);
    });

    afterAll(async () => {
      await queries?.close();
      await target.dispose();
    });

    // Worked out by hand from DESIGN.md's rule over the sample and the extra events:
    // August: dave's app session in its last millisecond (globex).
    // September, acme: alice (login, ssh, session end, ssh again in the last millisecond), bob (kube
    //   session, exec, kube request, kube port), charlie (ssh); frank's failed login, grace's failed db
    //   session and a stored record without a user count for nobody. Bots: bot-ci-deployer (ssh, by
    //   user_kind and name), ci-runner (kube, by user_kind).
    // September, globex: carol (db session and query), dave (app). initech: erin (desktop).
    // October, acme: alice (kube request in the first millisecond), heidi (login only: MAU, no
    //   protocol); the cert.create has no user. Bots: bot-nightly (ssh, by name only).
    // October, globex: ivan (an admin event: MAU, no protocol).
    const HUMANS: [string, string, string, string, number][] = [
      ["acme", "2026-09", "human", "all", 3],
      ["acme", "2026-09", "human", "ssh", 2],
      ["acme", "2026-09", "human", "kube", 1],
      ["acme", "2026-10", "human", "all", 2],
      ["acme", "2026-10", "human", "kube", 1],
      ["globex", "2026-08", "human", "all", 1],
      ["globex", "2026-08", "human", "app", 1],
      ["globex", "2026-09", "human", "all", 2],
      ["globex", "2026-09", "human", "db", 1],
      ["globex", "2026-09", "human", "app", 1],
      ["globex", "2026-10", "human", "all", 1],
      ["initech", "2026-09", "human", "all", 1],
      ["initech", "2026-09", "human", "desktop", 1],
    ];
    const BOTS: [string, string, string, string, number][] = [
      ["acme", "2026-09", "bot", "all", 2],
      ["acme", "2026-09", "bot", "ssh", 1],
      ["acme", "2026-09", "bot", "kube", 1],
      ["acme", "2026-10", "bot", "all", 1],
      ["acme", "2026-10", "bot", "ssh", 1],
    ];
    const byKey = (a: unknown[], b: unknown[]) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

    it("counts MAU and MAU per protocol per tenant and month, humans only by default", async () => {
      const rows = await queries.monthlyActiveUsers({ months: parseMonthRange("2026-08..2026-10") });
      expect(nonZero(rows).sort(byKey)).toEqual([...HUMANS].sort(byKey));
      // Complete: 3 tenants × 3 months × (all + 5 protocols), humans only.
      expect(rows).toHaveLength(54);
      expect(rows.every((r) => r.user_kind === "human")).toBe(true);
    });

    it("reports bots as their own rows when asked", async () => {
      const rows = await queries.monthlyActiveUsers({
        months: parseMonthRange("2026-08..2026-10"),
        includeBots: true,
      });
      expect(nonZero(rows).sort(byKey)).toEqual([...HUMANS, ...BOTS].sort(byKey));
      expect(rows).toHaveLength(108);
    });

    it("keeps each month to its own events at the boundaries", async () => {
      const august = await queries.monthlyActiveUsers({ months: parseMonthRange("2026-08") });
      expect(nonZero(august)).toEqual([
        ["globex", "2026-08", "human", "all", 1],
        ["globex", "2026-08", "human", "app", 1],
      ]);
      const october = await queries.monthlyActiveUsers({
        months: parseMonthRange("2026-10"),
        tenant: "acme",
      });
      expect(nonZero(october)).toEqual([
        ["acme", "2026-10", "human", "all", 2],
        ["acme", "2026-10", "human", "kube", 1],
      ]);
    });

    it("answers for one tenant, with zeros for a tenant without activity", async () => {
      const globex = await queries.monthlyActiveUsers({
        months: parseMonthRange("2026-09"),
        tenant: "globex",
      });
      expect(nonZero(globex)).toEqual([
        ["globex", "2026-09", "human", "all", 2],
        ["globex", "2026-09", "human", "db", 1],
        ["globex", "2026-09", "human", "app", 1],
      ]);
      const quiet = await queries.monthlyActiveUsers({
        months: parseMonthRange("2026-09"),
        tenant: "umbrella",
      });
      expect(quiet.map((r) => [r.tenant, r.protocol, r.mau])).toEqual([
        ["umbrella", null, 0],
        ["umbrella", "ssh", 0],
        ["umbrella", "kube", 0],
        ["umbrella", "db", 0],
        ["umbrella", "app", 0],
        ["umbrella", "desktop", 0],
      ]);
    });

    it("computes the rolling 30-day series across the month boundary", async () => {
      const rows = await queries.rollingActiveUsers({
        from: day("2026-09-01"),
        to: day("2026-10-31"),
        tenant: "acme",
      });
      const on = (d: string) => rows.find((r) => r.day === d)?.mau;
      // acme humans are active on: alice Sep 1, Sep 30, Oct 1; bob Sep 3; charlie Sep 22; heidi Oct 20.
      expect(rows).toHaveLength(61);
      expect(
        [
          "09-01",
          "09-02",
          "09-03",
          "09-22",
          "09-30",
          "10-01",
          "10-02",
          "10-03",
          "10-20",
          "10-21",
          "10-22",
          "10-30",
          "10-31",
        ].map((d) => [d, on(`2026-${d}`)]),
      ).toEqual([
        ["09-01", 1],
        ["09-02", 1],
        ["09-03", 2],
        ["09-22", 3],
        ["09-30", 3],
        ["10-01", 3],
        ["10-02", 3], // bob's Sep 3 is the 30th day back
        ["10-03", 2],
        ["10-20", 3],
        ["10-21", 3], // charlie's Sep 22 is the 30th day back
        ["10-22", 2],
        ["10-30", 2],
        ["10-31", 1],
      ]);
    });

    it("agrees with the brute-force rule on every day, bots included", async () => {
      const from = day("2026-08-15");
      const to = day("2026-11-05");
      const rows = await queries.rollingActiveUsers({ from, to, includeBots: true, windowDays: 30 });
      const expected = referenceRolling(storedRecords(byTenant), from, to, 30, true);
      const key = (r: RollingMauRow) => JSON.stringify([r.tenant, r.day, r.user_kind]);
      expect(new Map(rows.filter((r) => r.mau > 0).map((r) => [key(r), r.mau]))).toEqual(
        new Map(expected.map((r) => [key(r), r.mau])),
      );
    });

    it("returns the latest usage report of each tenant and cluster before the cut-off", async () => {
      const september = await queries.latestUsageReports({ before: new Date("2026-10-01T00:00:00Z") });
      expect(september.map((r) => [r.tenant, r.cluster, r.time, r.users, r.servers])).toEqual([
        ["acme", "", "2026-09-15T00:00:00.000Z", 3n, 9n],
        ["acme", ACME_PROD, "2026-09-01T00:00:00.000Z", 10n, 30n],
      ]);
      const october = await queries.latestUsageReports({ before: new Date("2026-11-01T00:00:00Z") });
      expect(october.map((r) => [r.tenant, r.cluster, r.time, r.users])).toEqual([
        ["acme", "", "2026-09-15T00:00:00.000Z", 3n],
        ["acme", ACME_PROD, "2026-10-01T00:00:00.000Z", 12n],
        ["globex", GLOBEX, "2026-10-15T00:00:00.000Z", 7n],
      ]);
      expect(october[2]).toEqual({
        tenant: "globex",
        cluster: GLOBEX,
        time: "2026-10-15T00:00:00.000Z",
        users: 7n,
        servers: 21n,
        databases: 2n,
        apps: 1n,
        kube_clusters: 1n,
        desktops: 0n,
        roles: 7n,
        auth_connectors: 1n,
      });
      const globex = await queries.latestUsageReports({
        before: new Date("2026-11-01T00:00:00Z"),
        tenant: "globex",
      });
      expect(globex.map((r) => r.tenant)).toEqual(["globex"]);
    });

    it.each(["acme' OR '1'='1", "acme'; DROP TABLE events; --", 'x" OR "1"="1', "acme\u0000"])(
      "refuses tenant %j",
      async (tenant) => {
        await expect(
          queries.monthlyActiveUsers({ months: parseMonthRange("2026-09"), tenant }),
        ).rejects.toThrow(InvalidArgumentError);
        await expect(
          queries.rollingActiveUsers({ from: day("2026-09-01"), to: day("2026-09-02"), tenant }),
        ).rejects.toThrow(InvalidArgumentError);
        await expect(queries.latestUsageReports({ before: new Date(), tenant })).rejects.toThrow(
          InvalidArgumentError,
        );
      },
    );
  });
}
