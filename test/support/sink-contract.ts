import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_ID_LENGTH } from "../../src/activity/event-rules.js";
import { MAX_COUNT, type UsageCount } from "../../src/activity/usage-report-rules.js";
import { InvalidArgumentError, UnavailableError } from "../../src/errors/errors.js";
import { type Event, type UsageReport, UserKind } from "../../src/gen/tenants/tenants.js";
import { parseMonthRange } from "../../src/mau/calendar.js";
import { MAX_TENANT_LENGTH } from "../../src/store/event-record.js";
import type { Store } from "../../src/store/store.js";
import { sampleEvent, sampleEvents, sampleReport, timestamp } from "../store/sample-events.js";

/** An event as the backend holds it, read back with the backend's own SQL. */
export interface StoredEvent {
  tenant: string;
  id: string;
  timeMicros: bigint;
  type: string;
  user: string;
  userKind: number;
  /** Empty where the event's was; a backend that leaves empty values out reads them back as "". */
  protocol: string;
  cluster: string;
  sessionKind: string;
  /** When the sink received the event, by its clock; left out where the backend does not store it. */
  receivedAtMicros?: bigint;
}

/** A usage report as the backend holds it. */
export interface StoredUsageReport {
  tenant: string;
  cluster: string;
  timeMicros: bigint;
  counts: Record<UsageCount, bigint>;
}

/** One open store of the backend under test, and how to read back what its sink stored. */
export interface ContractStore {
  readonly store: Store;
  /** Every stored event, in any order. */
  events(): Promise<StoredEvent[]>;
  /** Every stored usage report, in any order. */
  usageReports(): Promise<StoredUsageReport[]>;
  /** Releases what `open` started besides the store (servers, clients, directories); default: nothing. */
  dispose?(): Promise<void>;
}

/** Where a backend legitimately departs from the common case, each stated instead of skipped. */
export interface SinkCapabilities {
  /** The finest time the backend keeps; default "microsecond" (the sink's own precision). */
  timePrecision?: "microsecond" | "millisecond";
  /** Whether the backend records when the sink received each event; default true. */
  storesReceivedAt?: boolean;
  /**
   * What a different report for an already stored (tenant, cluster, time) does: "keeps-first" (the write
   * resolves, the stored report stays; the default) or refused with the given error.
   */
  conflictingUsageReport?: "keeps-first" | Refused;
  /**
   * What re-sending an identical, already stored report does: "accepted" (the default) or refused with
   * the given error, the stored report staying as it was. The latter only where the store cannot tell an
   * identical re-write from a conflicting one (Timestream when it rejects identical re-writes at the same
   * version: see src/store/timestream/rejections.ts).
   */
  resentUsageReport?: "accepted" | Refused;
}

/** A write the backend refuses, with the error it rejects with. */
export interface Refused {
  refusedWith: new (...args: never[]) => Error;
}

export interface SinkContractTarget {
  /**
   * Opens a fresh, empty store whose sink (and backend, where it has a clock) reads time from `now`; the
   * contract closes the store after each case, then calls `dispose`.
   */
  open(now: () => Date): Promise<ContractStore>;
  capabilities?: SinkCapabilities;
}

/** The contract's clock starts here; its events lie in the hours before, inside every backend's window. */
const NOW = new Date("2024-03-05T12:00:00Z");

const micros = (iso: string, extra = 0n) => BigInt(Date.parse(iso)) * 1000n + extra;

const byKey = <T extends { tenant: string }>(key: (item: T) => string) => {
  return (a: T, b: T) => {
    const [ka, kb] = [`${a.tenant}\u0000${key(a)}`, `${b.tenant}\u0000${key(b)}`];
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
};

/**
 * The cases every Sink (src/store/sink.ts) must pass, run against a real backend: idempotent on
 * (tenant, id) within and across batches, all-or-nothing on invalid input, every field stored, usage
 * reports idempotent on (tenant, cluster, time), close waiting for writes and refusing later ones.
 */
export function sinkContract(name: string, target: SinkContractTarget): void {
  const {
    timePrecision = "microsecond",
    storesReceivedAt = true,
    conflictingUsageReport = "keeps-first",
    resentUsageReport = "accepted",
  } = target.capabilities ?? {};
  const kept = (us: bigint) => (timePrecision === "millisecond" ? us - (us % 1000n) : us);

  describe(`${name}: the sink contract`, () => {
    let clock: Date;
    let opened: ContractStore | undefined;

    beforeEach(() => {
      clock = NOW;
    });

    afterEach(async () => {
      const current = opened;
      opened = undefined;
      try {
        await current?.store.close();
      } finally {
        await current?.dispose?.();
      }
    });

    async function open() {
      opened = await target.open(() => clock);
      const { sink } = opened.store;
      const reader = opened;
      const events = async () => (await reader.events()).sort(byKey((e) => e.id));
      const reports = async () =>
        (await reader.usageReports()).sort(byKey((r) => `${r.cluster}\u0000${r.timeMicros}`));
      return { sink, store: reader.store, events, reports };
    }

    it("stores every field of an event, its time to the backend's precision and when it was received", async () => {
      const { sink, events } = await open();
      const event = sampleEvent({
        id: "e1",
        time: timestamp("2024-03-05T11:30:00.123Z", 456_789),
        userKind: UserKind.USER_KIND_BOT,
        protocol: "kube",
        sessionKind: "k8s_port",
      });
      await expect(sink.write("acme", [event])).resolves.toEqual({ accepted: 1 });
      expect(await events()).toStrictEqual([
        {
          tenant: "acme",
          id: "e1",
          timeMicros: kept(micros("2024-03-05T11:30:00.123Z", 456n)),
          type: "session.start",
          user: event.user,
          userKind: UserKind.USER_KIND_BOT,
          protocol: "kube",
          cluster: event.cluster,
          sessionKind: "k8s_port",
          ...(storesReceivedAt ? { receivedAtMicros: micros(NOW.toISOString()) } : {}),
        },
      ]);
    });

    it("accepts an empty batch of events or reports, storing nothing", async () => {
      const { sink, events, reports } = await open();
      await expect(sink.write("acme", [])).resolves.toEqual({ accepted: 0 });
      await expect(sink.writeUsageReports("acme", [])).resolves.toEqual({ accepted: 0 });
      expect(await events()).toEqual([]);
      expect(await reports()).toEqual([]);
    });

    it("leaves the same rows when a batch is re-sent whole, in part, reversed or with repeats", async () => {
      const { sink, events } = await open();
      const batch = sampleEvents("r", 200);
      await expect(sink.write("acme", batch)).resolves.toEqual({ accepted: 200 });
      const first = await events();
      // A later clock: a re-sent event keeps what its first write stored, received time included.
      clock = new Date(NOW.getTime() + 3_600_000);
      await expect(sink.write("acme", batch)).resolves.toEqual({ accepted: 200 });
      await expect(sink.write("acme", batch.slice(10, 20))).resolves.toEqual({ accepted: 10 });
      await expect(sink.write("acme", [...batch].reverse().slice(0, 50))).resolves.toEqual({ accepted: 50 });
      await expect(sink.write("acme", [...batch.slice(0, 5), ...batch.slice(0, 5)])).resolves.toEqual({
        accepted: 10,
      });
      await expect(sink.write("acme", [batch[0]!, batch[0]!, batch[1]!])).resolves.toEqual({ accepted: 3 });
      expect(await events()).toEqual(first);
      expect(first.map((e) => e.id)).toEqual(batch.map((e) => e.id).sort());
    });

    it("keeps the first of repeated ids within a batch and counts the batch as accepted", async () => {
      const { sink, events } = await open();
      const result = await sink.write("acme", [
        sampleEvent({ id: "x", type: "first" }),
        sampleEvent({ id: "x", type: "second" }),
      ]);
      expect(result).toEqual({ accepted: 2 });
      expect((await events()).map((e) => [e.id, e.type])).toEqual([["x", "first"]]);
    });

    it("keeps different events with the same time and user apart", async () => {
      const { sink, events } = await open();
      const time = timestamp("2024-03-05T10:00:00Z");
      await sink.write("acme", [sampleEvent({ id: "a", time }), sampleEvent({ id: "b", time })]);
      expect((await events()).map((e) => e.id)).toEqual(["a", "b"]);
    });

    it("scopes ids to the tenant", async () => {
      const { sink, events } = await open();
      await sink.write("acme", [sampleEvent({ id: "same" })]);
      await sink.write("globex", [sampleEvent({ id: "same" })]);
      expect((await events()).map((e) => [e.tenant, e.id])).toEqual([
        ["acme", "same"],
        ["globex", "same"],
      ]);
    });

    it.each<[string, string, Partial<Event>, RegExp]>([
      ["a missing time", "acme", { time: undefined }, /event 3: time is required/],
      ["an empty id", "acme", { id: "" }, /event 3: id is required/],
      ["an id too long", "acme", { id: "i".repeat(MAX_ID_LENGTH + 1) }, /event 3: id is longer/],
      ["time nanos out of range", "acme", { time: { seconds: 1n, nanos: 1e9 } }, /event 3: time nanos/],
      ["an unknown user kind", "acme", { userKind: 7 as UserKind }, /event 3: unknown user_kind 7/],
      ["an empty tenant", "", {}, /tenant must not be empty/],
      ["a tenant too long", "t".repeat(MAX_TENANT_LENGTH + 1), {}, /tenant is longer/],
    ])("rejects a whole batch with %s, storing none of it", async (_, tenant, bad, message) => {
      const { sink, events } = await open();
      const batch = [...sampleEvents("ok", 3), sampleEvent({ id: "bad", ...bad })];
      const err: unknown = await sink.write(tenant, batch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(message);
      expect(await events()).toEqual([]);
    });

    it("stores every event of concurrent writes", async () => {
      const { sink, events } = await open();
      const batches = Array.from({ length: 12 }, (_, i) => sampleEvents(`c${i}`, 300));
      const results = await Promise.all(batches.map((batch) => sink.write("acme", batch)));
      expect(results).toEqual(batches.map(() => ({ accepted: 300 })));
      expect((await events()).map((e) => e.id)).toEqual(
        batches
          .flat()
          .map((e) => e.id)
          .sort(),
      );
    });

    it("stores exactly the distinct ids of any sequence of possibly repeated batches", async () => {
      const { sink, events } = await open();
      const pool = sampleEvents("p", 40);
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.integer({ min: 0, max: pool.length - 1 }), { maxLength: 15 }), {
            maxLength: 8,
          }),
          async (batches) => {
            const tenant = `t${run++}`;
            for (const batch of batches) {
              const written = batch.map((i) => pool[i]!);
              await expect(sink.write(tenant, written)).resolves.toEqual({ accepted: written.length });
            }
            const expected = [...new Set(batches.flat())].map((i) => pool[i]!.id).sort();
            const stored = (await events()).filter((e) => e.tenant === tenant);
            expect(stored.map((e) => e.id)).toEqual(expected);
          },
        ),
        { numRuns: 40 },
      );
    });

    const allCounts = (report: UsageReport): Record<UsageCount, bigint> => ({
      users: report.users,
      servers: report.servers,
      databases: report.databases,
      apps: report.apps,
      kube_clusters: report.kubeClusters,
      desktops: report.desktops,
      roles: report.roles,
      auth_connectors: report.authConnectors,
    });

    it("stores usage reports idempotently on (tenant, cluster, time), every count exactly", async () => {
      const { sink, reports } = await open();
      const written = [
        sampleReport({ users: MAX_COUNT, desktops: 0n }),
        sampleReport({ cluster: "", users: 1n }),
        sampleReport({ time: timestamp("2024-03-05T06:00:00.000Z", 7_000), users: 2n }),
      ];
      await expect(sink.writeUsageReports("acme", written)).resolves.toEqual({ accepted: 3 });
      await expect(sink.writeUsageReports("globex", [written[0]!, written[0]!])).resolves.toEqual({
        accepted: 2,
      });
      const resent = sink.writeUsageReports("acme", written);
      if (resentUsageReport === "accepted") await expect(resent).resolves.toEqual({ accepted: 3 });
      else await expect(resent).rejects.toThrow(resentUsageReport.refusedWith);
      const stored = (tenant: string, report: UsageReport, iso: string, extra = 0n) => ({
        tenant,
        cluster: report.cluster,
        timeMicros: kept(micros(iso, extra)),
        counts: allCounts(report),
      });
      expect(await reports()).toStrictEqual([
        stored("acme", written[1]!, "2024-03-05T00:00:00Z"),
        stored("acme", written[0]!, "2024-03-05T00:00:00Z"),
        stored("acme", written[2]!, "2024-03-05T06:00:00Z", 7n),
        stored("globex", written[0]!, "2024-03-05T00:00:00Z"),
      ]);
    });

    const keepsFirst = conflictingUsageReport === "keeps-first";
    it(`${keepsFirst ? "keeps the stored report" : "refuses a different report"} for a stored (tenant, cluster, time)`, async () => {
      const { sink, reports } = await open();
      const report = sampleReport();
      await sink.writeUsageReports("acme", [report]);
      const before = await reports();
      const different = sink.writeUsageReports("acme", [{ ...report, users: report.users + 1n }]);
      if (conflictingUsageReport === "keeps-first") await expect(different).resolves.toEqual({ accepted: 1 });
      else await expect(different).rejects.toThrow(conflictingUsageReport.refusedWith);
      expect(await reports()).toEqual(before);
      expect(before.map((r) => r.counts.users)).toEqual([report.users]);
    });

    it.each<[string, Partial<UsageReport>, RegExp]>([
      ["a missing time", { time: undefined }, /usage report 1: time is required/],
      ["a negative count", { servers: -1n }, /usage report 1: servers is out of range/],
      ["a count past 2^63-1", { roles: MAX_COUNT + 1n }, /usage report 1: roles is out of range/],
    ])("rejects a whole batch of usage reports with %s, storing none of it", async (_, bad, message) => {
      const { sink, reports } = await open();
      const batch = [sampleReport(), sampleReport({ cluster: "other", ...bad })];
      const err: unknown = await sink.writeUsageReports("acme", batch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(message);
      expect(await reports()).toEqual([]);
    });

    it("waits for a write in flight on close, then refuses writes with UnavailableError", async () => {
      const { sink } = await open();
      const pending = sink.write("acme", sampleEvents("w", 100));
      await sink.close();
      await expect(pending).resolves.toEqual({ accepted: 100 });
      await expect(sink.write("acme", sampleEvents("z", 1))).rejects.toThrow(UnavailableError);
      await expect(sink.writeUsageReports("acme", [sampleReport()])).rejects.toThrow(UnavailableError);
      await expect(sink.close()).resolves.toBeUndefined();
    });

    it("gives queries through the store that see what its sink stored", async () => {
      const { sink, store } = await open();
      await sink.write("acme", sampleEvents("q", 3));
      const rows = await (await store.queries()).monthlyActiveUsers({ months: parseMonthRange("2024-03") });
      expect(rows.filter((r) => r.mau > 0).map((r) => [r.tenant, r.month, r.protocol, r.mau])).toEqual(
        expect.arrayContaining([
          ["acme", "2024-03", null, 3],
          ["acme", "2024-03", "ssh", 1],
          ["acme", "2024-03", "kube", 1],
          ["acme", "2024-03", "db", 1],
        ]),
      );
      expect(rows.filter((r) => r.mau > 0)).toHaveLength(4);
    });
  });
}
