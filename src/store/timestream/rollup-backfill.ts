import { InternalError } from "../../errors/errors.js";
import type { UserKind } from "../../gen/tenants/tenants.js";
import { DAY_MS, dayOf } from "../../mau/calendar.js";
import { quoteIdentifier, type RenderedQuery, type ResultColumn } from "../../mau/dialect.js";
import type { Backoff } from "../../time/backoff.js";
import { retry } from "../../time/retry.js";
import {
  BACKFILL_DEFAULTS,
  type BackfillOptions,
  type BackfillSpan,
  type BackfillSteps,
  buildRollup,
  daysDone,
  type RollupBackfill,
  startBackfill,
  totalDays,
} from "../rollup-backfill.js";
import {
  columnsOf,
  emptySpan,
  eventTimeRange,
  readFurthestState,
  readRollupState,
  type RollupState,
} from "./rollup-state.js";
import { MAX_FUTURE_MS } from "./rejections.js";
import { quoteLiteral } from "./timestream-dialect.js";
import type { TimestreamQuerier } from "./timestream-query.js";
import { type ActiveDay, EVENT_MEASURE } from "./timestream-records.js";
import type { TimestreamTables } from "./timestream-tables.js";

/** How the build writes to the rollup table: through the sink's own writer, with its rejection rules. */
export interface RollupWriter {
  /** Daily activity records of one tenant (identical re-writes are idempotent upserts). */
  activeDays(tenant: string, days: readonly ActiveDay[]): Promise<void>;
  /** One state record (rollup-state.ts). */
  state(state: RollupState): Promise<void>;
}

export interface TimestreamBackfillDeps {
  querier: TimestreamQuerier;
  tables: TimestreamTables;
  writer: RollupWriter;
  /** The wall clock state records are timed by, ms. */
  now: () => number;
  random?: () => number;
}

/**
 * The Timestream sink's rollup backfill, in the background of the open sink: the events stored before
 * the rollup table had their daily activity records (or before this state was kept) get them, a UTC day
 * at a time from the oldest, through the same writer as the batches' (so the two overlap harmlessly:
 * every record is an identical upsert). Timestream has no transactions: each day's records are written
 * first, then a state record naming the next day (rollup-state.ts), so a stop or a kill loses at most
 * the day in flight, which the next open builds again.
 *
 * Without any state record the span is taken from the events table (its first and last event) and
 * recorded before the first day; an events table without events is complete at once. A day is one
 * query grouping its events by (tenant, user, user kind, protocol) with a count (the rows to write, and
 * the events read for the progress line), read and written a page at a time, so the sink holds one page.
 * A failed day (Query or WriteRecords failing after their own retries, or a record rejected, such as
 * one older than the rollup table's memory store retention without magnetic store writes) is logged and
 * tried again with backoff, up to `retryMs` apart, never marked done; `close` stops it.
 *
 * Several sinks may open the same tables: there is no lock in Timestream, so each may build. Before
 * every day a builder reads the furthest state record of the last minutes (a time-bounded query): one
 * that finds the build complete stops (writing `complete` again if a record it knows came after), one
 * that finds another ahead goes on from there, so they converge. While two build at once the newest
 * record may name an earlier day than the furthest, so MAU may be refused again for a while; two records
 * at the same time that differ make one write fail, which is retried like any failed day.
 */
export function startTimestreamBackfill(
  deps: TimestreamBackfillDeps,
  options: BackfillOptions,
): RollupBackfill {
  const retryMs = options.retryMs ?? BACKFILL_DEFAULTS.retryMs;
  const backoff: Backoff = {
    initialDelay: Math.min(1_000, retryMs),
    maxDelay: retryMs,
    multiplier: 2,
    jitter: 0.5,
  };
  return startBackfill(
    (signal) => buildRollup(new TimestreamSteps(deps, options, backoff, signal), signal, options),
    options,
  );
}

/**
 * How far before its own latest state record a builder looks for other builders' records: their clocks
 * may be behind its own (Timestream itself accepts records up to 15 minutes ahead of its clock).
 */
const CLOCK_SLACK_MS = MAX_FUTURE_MS;

class TimestreamSteps implements BackfillSteps {
  /** The newest state record's time this builder knows of; its own go after it. */
  private stateTime = -Infinity;

  constructor(
    private readonly deps: TimestreamBackfillDeps,
    private readonly options: BackfillOptions,
    private readonly backoff: Backoff,
    private readonly signal: AbortSignal,
  ) {}

  async pending(): Promise<BackfillSpan | undefined> {
    const { querier, tables, now } = this.deps;
    const state = await readRollupState(querier, tables, this.signal);
    if (state !== undefined) {
      this.stateTime = state.timeMs;
      return state.complete ? undefined : state.span;
    }
    const range = await eventTimeRange(querier, tables, this.signal);
    if (range === undefined) {
      await this.record(true, emptySpan(dayOf(now())));
      return undefined;
    }
    const span = { firstDay: dayOf(range.first), nextDay: dayOf(range.first), lastDay: dayOf(range.last) };
    await this.record(false, span);
    return span;
  }

  async step(span: BackfillSpan): Promise<{ left: BackfillSpan | undefined; events: number }> {
    try {
      return await retry(
        () => this.buildDay(span),
        { backoff: this.backoff, isRetryable: () => true },
        this.signal,
        {
          ...(this.deps.random === undefined ? {} : { random: this.deps.random }),
          onFailure: (err, failures, retryIn) => {
            this.options.logger.error(
              { err, day: new Date(span.nextDay).toISOString(), attempt: failures, retryInMs: retryIn },
              "building a day of the daily activity rollup failed; trying again (MAU is refused until it completes)",
            );
          },
        },
      );
    } catch (err) {
      // Stopped mid-day: the day is not marked done, and the next open builds it again.
      if (this.signal.aborted) return { left: span, events: 0 };
      throw err;
    }
  }

  private async buildDay(span: BackfillSpan): Promise<{ left: BackfillSpan | undefined; events: number }> {
    const { querier, tables } = this.deps;
    const furthest = await readFurthestState(querier, tables, this.stateTime - CLOCK_SLACK_MS, this.signal);
    if (furthest !== undefined) {
      const known = this.stateTime;
      this.stateTime = Math.max(known, furthest.timeMs);
      if (furthest.complete) {
        // Another builder finished, but a building record timed after its `complete` (this one's, or
        // the one this builder resumed from) would keep MAU refused: say complete again.
        if (furthest.timeMs < known) await this.record(true, furthest.span);
        return { left: undefined, events: 0 };
      }
      if (furthest.span.nextDay > span.nextDay) {
        this.options.logger.info(
          { daysDone: daysDone(furthest.span), days: totalDays(furthest.span) },
          "another sink built days of the daily activity rollup; going on from where it is",
        );
        return { left: furthest.span, events: 0 };
      }
    }
    // Read each day: a batch may bring a dimension no stored event had, which the query must then read.
    const columns = await columnsOf(querier, tables, tables.table, this.signal);
    const events = columns.has("user") ? await this.copyDay(span.nextDay, columns) : 0;
    const left = { ...span, nextDay: span.nextDay + DAY_MS };
    // Without a `user` column no stored event has a user: no day has anything to build.
    const complete = left.nextDay > left.lastDay || !columns.has("user");
    await this.record(complete, complete ? { ...left, nextDay: left.lastDay + DAY_MS } : left);
    return { left: complete ? undefined : left, events };
  }

  /**
   * Writes the daily activity records of one UTC day's events, a page at a time; the events read.
   * @throws the stop signal's reason when it aborts before the last page is written
   */
  private async copyDay(day: number, columns: Set<string>): Promise<number> {
    let events = 0;
    for await (const page of this.deps.querier.pages(dayQuery(this.deps.tables, columns, day), this.signal)) {
      const byTenant = new Map<string, ActiveDay[]>();
      for (const [tenant, user, userKind, protocol, count] of page) {
        events += Number(count);
        if (user === "") continue;
        const list = byTenant.get(tenant as string) ?? [];
        list.push({
          day,
          user: user as string,
          userKind: userKindOf(userKind),
          protocol: protocol as string,
        });
        byTenant.set(tenant as string, list);
      }
      for (const [tenant, days] of byTenant) await this.deps.writer.activeDays(tenant, days);
      this.signal.throwIfAborted();
    }
    return events;
  }

  private async record(complete: boolean, span: BackfillSpan): Promise<void> {
    const timeMs = Math.max(this.deps.now(), this.stateTime + 1);
    await this.deps.writer.state({ timeMs, complete, span });
    this.stateTime = timeMs;
  }
}

const DAY_COLUMNS: readonly ResultColumn[] = [
  { name: "tenant", type: "varchar" },
  { name: "user", type: "varchar" },
  { name: "user_kind", type: "varchar" },
  { name: "protocol", type: "varchar" },
  { name: "events", type: "bigint" },
];

/**
 * One UTC day's events grouped by the rollup's key. A dimension no event ever had is not a column of
 * the table (Timestream's schema has only the columns some record brought), so it is read as ''.
 */
export function dayQuery(tables: TimestreamTables, columns: ReadonlySet<string>, day: number): RenderedQuery {
  const value = (name: string) =>
    columns.has(name) ? `coalesce(${quoteIdentifier(name)}, '')` : quoteLiteral("");
  const keys = ["tenant", "user", "user_kind", "protocol"].map((name) =>
    name === "tenant" ? "tenant" : value(name),
  );
  const grouped = keys.filter((key) => key !== quoteLiteral(""));
  return {
    sql: `SELECT ${keys.map((key, i) => `${key} AS ${quoteIdentifier(DAY_COLUMNS[i]!.name)}`).join(", ")},
  count(*) AS events
FROM ${quoteIdentifier(tables.database)}.${quoteIdentifier(tables.table)}
WHERE measure_name = ${quoteLiteral(EVENT_MEASURE)}
  AND time >= from_milliseconds(${day}) AND time < from_milliseconds(${day + DAY_MS})
GROUP BY ${grouped.join(", ")}`,
    params: [],
    columns: DAY_COLUMNS,
  };
}

function userKindOf(value: unknown): UserKind {
  if (typeof value !== "string" || !/^\d+$/.test(value)) {
    throw new InternalError(`an event's user_kind is ${JSON.stringify(value)}, not a number`);
  }
  return Number(value);
}
