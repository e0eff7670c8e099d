import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Event, UserKind } from "../../src/gen/tenants/tenants.js";
import { parseMonthRange } from "../../src/mau/calendar.js";
import type { Dialect, RenderedQuery } from "../../src/mau/dialect.js";
import { type ActivityRelation, monthlyMauSql, rollingMauSql } from "../../src/mau/sql/metrics.js";
import { checkMonthly, checkRolling } from "../../src/mau/usage-query.js";
import type { Sink } from "../../src/store/sink.js";

/**
 * The daily activity rollup against the raw events it is derived from, on a real SQL backend: random
 * events written through the sink in random batches (some re-sent, some ids re-sent with other content,
 * bots, events without a user, times at day, month and year boundaries and before 1970, several
 * tenants), then every monthly and rolling MAU query rendered over the rollup must give exactly the rows
 * it gives over the events, through the same runner, and the rollup must be exactly the distinct
 * projection of the stored events.
 */

/** A sink over empty tables and a way to run SQL against what it stored. */
export interface RollupStore {
  readonly sink: Sink;
  /** Runs a rendered query, its rows as the driver gives them. */
  run(query: RenderedQuery): Promise<unknown[][]>;
}

export interface RollupTarget {
  readonly dialect: Dialect;
  /** The backend's UTC day start of a TIMESTAMPTZ expression (its schema.ts `utcDayStart`). */
  readonly utcDayStart: (expression: string) => string;
  /** Its UTC month start, where the dialect names a monthly rollup (`monthly_activity`). */
  readonly utcMonthStart?: (expression: string) => string;
  /** A store whose tables are empty; the previous one, if any, is no longer used. */
  fresh(): Promise<RollupStore>;
  /** Default 40. */
  numRuns?: number;
}

const MICROS_PER_DAY = 86_400_000_000n;
const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

/** Boundaries the times cluster around: the epoch (also a year), a leap day's month end, a year end. */
const ANCHORS = ["1970-01-01T00:00:00Z", "2024-03-01T00:00:00Z", "2025-01-01T00:00:00Z"].map(micros);

/** A time near one anchor: just either side of it or of a neighbouring midnight, or anywhere in 3 days. */
const timeMicros = fc
  .tuple(
    fc.constantFrom(...ANCHORS),
    fc.oneof(
      fc.tuple(fc.integer({ min: -2, max: 2 }), fc.constantFrom(-1_000n, -1n, 0n, 1n, 999n)),
      fc.tuple(fc.constant(0), fc.bigInt({ min: -3n * MICROS_PER_DAY, max: 3n * MICROS_PER_DAY })),
    ),
    // Nanoseconds the sinks drop: a sub-microsecond part never moves an event to another day.
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([anchor, [days, offset], nanos]) => ({ us: anchor + BigInt(days) * MICROS_PER_DAY + offset, nanos }));

/** An event time from epoch microseconds, with a sub-microsecond part. */
const eventTime = ({ us, nanos }: { us: bigint; nanos: number }) => {
  const seconds = us / 1_000_000n - (us % 1_000_000n < 0n ? 1n : 0n);
  return { seconds, nanos: Number(us - seconds * 1_000_000n) * 1000 + nanos };
};

/**
 * Events whose id repeats with other content. Half of them take a time that comes with the id, so a
 * repeated id is also the same instant: the same key for a sink that keys events by (tenant, id, time)
 * too, with another user, kind or protocol than the stored event.
 */
const event = fc
  .record({
    n: fc.integer({ min: 0, max: 24 }),
    pinned: fc.boolean(),
    time: timeMicros,
    type: fc.constantFrom("session.start", "user.login", "cert.create"),
    user: fc.constantFrom("", "", "u1", "u2", "u3", "bot-ci"),
    userKind: fc.constantFrom(
      UserKind.USER_KIND_HUMAN,
      UserKind.USER_KIND_BOT,
      UserKind.USER_KIND_UNSPECIFIED,
    ),
    protocol: fc.constantFrom("", "ssh", "kube", "db"),
  })
  .map(({ n, pinned, time, ...fields }): Event => ({
    id: `e${n}`,
    time: eventTime(pinned ? { us: ANCHORS[n % ANCHORS.length]! + BigInt(n) * 7_919n, nanos: 0 } : time),
    ...fields,
    cluster: "Y2x1c3Rlcg==",
    sessionKind: "",
  }));

/** Batches in the order written: a tenant and its events (ids repeat across and within batches). */
const batches = fc
  .array(
    fc.record({ tenant: fc.constantFrom("acme", "globex"), events: fc.array(event, { maxLength: 12 }) }),
    {
      maxLength: 8,
    },
  )
  .chain((written) =>
    // Re-sends: earlier batches written again, as a reporter does after a lost acknowledgement.
    fc
      .array(fc.nat({ max: Math.max(0, written.length - 1) }), { maxLength: written.length === 0 ? 0 : 3 })
      .map((again) => [...written, ...again.map((i) => written[i]!)]),
  );

const monthlyQueries = [
  parseMonthRange("1970-01"),
  parseMonthRange("2024-02..2024-03"),
  parseMonthRange("2024-12..2025-01"),
].flatMap((months) =>
  [undefined, "acme"].flatMap((tenant) =>
    [false, true].map((includeBots) => checkMonthly({ months, tenant, includeBots })),
  ),
);

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const rollingQueries = [
  [day("1970-01-01"), day("1970-01-04")],
  [day("2024-02-26"), day("2024-03-04")],
  [day("2024-12-29"), day("2025-01-03")],
].flatMap(([from, to]) =>
  [1, 2, 7, 30].flatMap((windowDays) =>
    [false, true].map((includeBots) => checkRolling({ from: from!, to: to!, windowDays, includeBots })),
  ),
);

/**
 * Per rollup table, the rows not derived from a stored event and the stored events' rows missing from
 * it: all zero when each table is exactly the distinct projection of the events onto its grain.
 */
function differenceQuery(
  tables: readonly (readonly [string, (expression: string) => string])[],
): RenderedQuery {
  const counts = tables.flatMap(([table, grain]) => {
    const projected = `SELECT tenant, ${grain("time")} AS time, user_kind, protocol, "user"
        FROM events WHERE "user" <> ''`;
    const rollup = `SELECT tenant, time, user_kind, protocol, "user" FROM ${table}`;
    return [
      `(SELECT count(*) FROM (${rollup} EXCEPT ${projected}) AS extra) AS ${table}_extra`,
      `(SELECT count(*) FROM (${projected} EXCEPT ${rollup}) AS missing) AS ${table}_missing`,
    ];
  });
  return {
    sql: `SELECT ${counts.join(",\n  ")}`,
    params: [],
    columns: counts.map((_, i) => ({ name: `c${i}`, type: "bigint" as const })),
  };
}

/** JSON with bigints as text, so rows compare whatever numeric type the driver gives. */
const comparable = (rows: unknown[][]) =>
  JSON.stringify(rows, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value));

export function rollupProperty(name: string, target: RollupTarget): void {
  describe(`${name}: the daily activity rollup`, () => {
    it("answers every monthly and rolling MAU query exactly as the raw events do", async () => {
      // Without a rollup relation the metrics read the events both ways and the comparison is void.
      expect(target.dialect.dailyActivity?.from).toBe("daily_activity");
      const monthly = target.dialect.monthlyActivity;
      if (monthly !== undefined) expect(monthly.from).toBe("monthly_activity");
      const difference = differenceQuery([
        ["daily_activity", target.utcDayStart],
        ...(monthly === undefined || target.utcMonthStart === undefined
          ? []
          : [["monthly_activity", target.utcMonthStart] as const]),
      ]);
      if (monthly !== undefined) expect(difference.sql).toContain("monthly_activity");
      let nonEmpty = 0;
      await fc.assert(
        fc.asyncProperty(batches, async (written) => {
          const store = await target.fresh();
          for (const batch of written) await store.sink.write(batch.tenant, batch.events);
          expect(comparable(await store.run(difference))).toBe(
            comparable([difference.columns.map(() => 0n)]),
          );
          const answers = async (relation: ActivityRelation) => {
            const out: string[] = [];
            for (const q of monthlyQueries)
              out.push(comparable(await store.run(monthlyMauSql(target.dialect, q, relation))));
            for (const q of rollingQueries)
              out.push(comparable(await store.run(rollingMauSql(target.dialect, q, relation))));
            return out;
          };
          const overEvents = await answers("events");
          if (overEvents.some((rows) => rows !== "[]")) nonEmpty += 1;
          expect(await answers("rollup")).toEqual(overEvents);
        }),
        { numRuns: target.numRuns ?? 40 },
      );
      // The comparison means something only if the generated events make somebody active.
      expect(nonEmpty).toBeGreaterThan(0);
    }, 120_000);
  });
}
