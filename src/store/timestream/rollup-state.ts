import type { _Record } from "@aws-sdk/client-timestream-write";
import { InternalError } from "../../errors/errors.js";
import { DAY_MS } from "../../mau/calendar.js";
import { quoteIdentifier, type ResultColumn } from "../../mau/dialect.js";
import { type BackfillSpan, rollupBuildingError, rollupMissingError } from "../rollup-backfill.js";
import { quoteLiteral } from "./timestream-dialect.js";
import type { TimestreamQuerier } from "./timestream-query.js";
import { EVENT_MEASURE, RECORD_VERSION } from "./timestream-records.js";
import type { TimestreamTables } from "./timestream-tables.js";

/**
 * The state of the rollup backfill, kept in the rollup table itself: Timestream has no transactions and
 * no updates, so every change is a new record and the newest one (by time) is the state.
 *
 * One MULTI record per change: measure name `rollup_backfill`, dimension `backfill` = `daily_activity`,
 * measures `state` (VARCHAR `building` or `complete`) and `first_day`, `next_day`, `last_day` (BIGINT,
 * epoch ms of UTC day starts: the span the build covers and the first day not built yet), time the
 * writer's clock in ms (later than every state record it has read, so its own change is the newest),
 * version 1. A complete record of an events table without events has an empty span (`last_day` the day
 * before `first_day`).
 *
 * Only state records carry these measures, so the table has no `next_day` column until the first is
 * written (Timestream's schema has only the columns some record brought): DESCRIBE tells whether to look.
 */

export const BACKFILL_MEASURE = "rollup_backfill";
const DIMENSION = "backfill";
const DIMENSION_VALUE = "daily_activity";

export interface RollupState {
  /** The record's time, ms. */
  timeMs: number;
  complete: boolean;
  span: BackfillSpan;
}

/** The span of an events table without events: no day to build. */
export function emptySpan(day: number): BackfillSpan {
  return { firstDay: day, nextDay: day, lastDay: day - DAY_MS };
}

export function stateCommonAttributes(): _Record {
  return {
    Dimensions: [{ Name: DIMENSION, Value: DIMENSION_VALUE }],
    MeasureName: BACKFILL_MEASURE,
    MeasureValueType: "MULTI",
    TimeUnit: "MILLISECONDS",
    Version: RECORD_VERSION,
  };
}

export function stateRecord(state: RollupState): _Record {
  const day = (name: string, value: number) => ({
    Name: name,
    Value: String(value),
    Type: "BIGINT" as const,
  });
  return {
    MeasureValues: [
      { Name: "state", Value: state.complete ? "complete" : "building", Type: "VARCHAR" },
      day("first_day", state.span.firstDay),
      day("next_day", state.span.nextDay),
      day("last_day", state.span.lastDay),
    ],
    Time: String(state.timeMs),
  };
}

const STATE_COLUMNS: readonly ResultColumn[] = [
  { name: "time_ms", type: "bigint" },
  { name: "state", type: "varchar" },
  { name: "first_day", type: "bigint" },
  { name: "next_day", type: "bigint" },
  { name: "last_day", type: "bigint" },
];

const table = (tables: TimestreamTables, name: string) =>
  `${quoteIdentifier(tables.database)}.${quoteIdentifier(name)}`;

/** The column names of a table (DESCRIBE answers one row per column, its name first). */
export async function columnsOf(
  querier: TimestreamQuerier,
  tables: TimestreamTables,
  name: string,
  signal?: AbortSignal,
): Promise<Set<string>> {
  return new Set(await querier.firstValues(`DESCRIBE ${table(tables, name)}`, signal));
}

/** The newest state record (the state), undefined when there is none. */
export async function readRollupState(
  querier: TimestreamQuerier,
  tables: TimestreamTables,
  signal?: AbortSignal,
): Promise<RollupState | undefined> {
  const columns = await columnsOf(querier, tables, tables.rollupTable, signal);
  if (!columns.has("next_day")) return undefined;
  return stateQuery(querier, tables, "", "time DESC", signal);
}

/**
 * The furthest state record from `sinceMs` on (complete first, then the latest `next_day`), for a
 * builder that has read or written one from then (so the state columns exist): what any builder reached
 * lately, whatever the clocks of the builders say. Timestream prunes the read by time.
 */
export function readFurthestState(
  querier: TimestreamQuerier,
  tables: TimestreamTables,
  sinceMs: number,
  signal?: AbortSignal,
): Promise<RollupState | undefined> {
  return stateQuery(
    querier,
    tables,
    Number.isFinite(sinceMs) ? ` AND time >= from_milliseconds(${Math.trunc(sinceMs)})` : "",
    "CASE WHEN state = 'complete' THEN 1 ELSE 0 END DESC, next_day DESC, time DESC",
    signal,
  );
}

async function stateQuery(
  querier: TimestreamQuerier,
  tables: TimestreamTables,
  where: string,
  order: string,
  signal: AbortSignal | undefined,
): Promise<RollupState | undefined> {
  const rows = await querier.rows(
    {
      sql: `SELECT to_milliseconds(time) AS time_ms, state, first_day, next_day, last_day
FROM ${table(tables, tables.rollupTable)}
WHERE measure_name = ${quoteLiteral(BACKFILL_MEASURE)}${where}
ORDER BY ${order} LIMIT 1`,
      params: [],
      columns: STATE_COLUMNS,
    },
    signal,
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const [timeMs, state, firstDay, nextDay, lastDay] = row;
  if (
    typeof timeMs !== "bigint" ||
    (state !== "building" && state !== "complete") ||
    typeof firstDay !== "bigint" ||
    typeof nextDay !== "bigint" ||
    typeof lastDay !== "bigint"
  ) {
    throw new InternalError(`the daily activity rollup's state record in ${tables.rollupTable} is malformed`);
  }
  return {
    timeMs: Number(timeMs),
    complete: state === "complete",
    span: { firstDay: Number(firstDay), nextDay: Number(nextDay), lastDay: Number(lastDay) },
  };
}

/** The first and last event times of the events table, ms; undefined when it holds no event. */
export async function eventTimeRange(
  querier: TimestreamQuerier,
  tables: TimestreamTables,
  signal?: AbortSignal,
): Promise<{ first: number; last: number } | undefined> {
  const rows = await querier.rows(
    {
      sql: `SELECT to_milliseconds(min(time)) AS first_ms, to_milliseconds(max(time)) AS last_ms
FROM ${table(tables, tables.table)} WHERE measure_name = ${quoteLiteral(EVENT_MEASURE)}`,
      params: [],
      columns: [
        { name: "first_ms", type: "bigint" },
        { name: "last_ms", type: "bigint" },
      ],
    },
    signal,
  );
  const [first, last] = rows[0] ?? [null, null];
  if (typeof first !== "bigint" || typeof last !== "bigint") return undefined;
  return { first: Number(first), last: Number(last) };
}

/** Whether the events table holds any event record (one is enough to tell). */
async function holdsEvents(
  querier: TimestreamQuerier,
  tables: TimestreamTables,
  signal?: AbortSignal,
): Promise<boolean> {
  const rows = await querier.rows(
    {
      sql: `SELECT count(*) AS events FROM (SELECT time FROM ${table(tables, tables.table)}
WHERE measure_name = ${quoteLiteral(EVENT_MEASURE)} LIMIT 1)`,
      params: [],
      columns: [{ name: "events", type: "bigint" }],
    },
    signal,
  );
  return rows[0]?.[0] !== 0n;
}

/**
 * Rejects while the rollup is incomplete: the newest state record says building, or there is none while
 * the events table holds events (their rollup was never built: the sink that builds it has not opened
 * these tables yet). Resolves to whether the rollup is complete for good (a complete state record), which
 * a caller may remember; with neither state nor events there is nothing to miss, for now.
 */
export async function checkTimestreamRollup(
  querier: TimestreamQuerier,
  tables: TimestreamTables,
  signal?: AbortSignal,
): Promise<boolean> {
  const state = await readRollupState(querier, tables, signal);
  if (state === undefined) {
    if (await holdsEvents(querier, tables, signal)) throw rollupMissingError();
    return false;
  }
  if (!state.complete) throw rollupBuildingError(state.span);
  return true;
}
