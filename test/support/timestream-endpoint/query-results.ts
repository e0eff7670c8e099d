import { randomUUID } from "node:crypto";
import { DuckDBTypeId } from "@duckdb/node-api";
import { validation } from "./protocol.js";
import type { QueryResult } from "./store.js";

/** Timestream Query's result shapes. */
export interface ColumnInfo {
  Name: string;
  Type: { ScalarType: string };
}

export type Datum = { ScalarValue: string } | { NullValue: true };

export interface QueryPage {
  QueryId: string;
  NextToken?: string;
  Rows: { Data: Datum[] }[];
  ColumnInfo: ColumnInfo[];
  QueryStatus: { ProgressPercentage: number; CumulativeBytesScanned: number; CumulativeBytesMetered: number };
}

interface Cursor {
  queryId: string;
  queryString: string;
  columns: ColumnInfo[];
  rows: { Data: Datum[] }[];
  offset: number;
}

export const MAX_ROWS_LIMIT = 1000;

/** Pages materialized results the way Timestream does: ColumnInfo on every page, NextToken until done. */
export class QueryPager {
  private readonly cursors = new Map<string, Cursor>();

  constructor(private readonly defaultPageSize: number) {}

  first(queryString: string, result: QueryResult, maxRows: unknown): QueryPage {
    const cursor: Cursor = {
      queryId: randomUUID(),
      queryString,
      columns: result.columns.map((c) => ({ Name: c.name, Type: { ScalarType: scalarType(c.typeId) } })),
      rows: result.rows.map((row) => ({
        Data: row.map((value, i) => datum(value, result.columns[i]!.typeId)),
      })),
      offset: 0,
    };
    return this.page(cursor, maxRows);
  }

  next(queryString: string, token: string, maxRows: unknown): QueryPage {
    const cursor = this.cursors.get(token);
    if (cursor === undefined || cursor.queryString !== queryString) {
      throw validation("The NextToken is invalid or does not belong to this query.");
    }
    this.cursors.delete(token);
    return this.page(cursor, maxRows);
  }

  private page(cursor: Cursor, maxRows: unknown): QueryPage {
    const size = pageSize(maxRows, this.defaultPageSize);
    const rows = cursor.rows.slice(cursor.offset, cursor.offset + size);
    cursor.offset += rows.length;
    const page: QueryPage = {
      QueryId: cursor.queryId,
      Rows: rows,
      ColumnInfo: cursor.columns,
      QueryStatus: { ProgressPercentage: 100, CumulativeBytesScanned: 0, CumulativeBytesMetered: 0 },
    };
    if (cursor.offset < cursor.rows.length) {
      const token = randomUUID();
      this.cursors.set(token, cursor);
      page.NextToken = token;
    }
    return page;
  }
}

function pageSize(maxRows: unknown, fallback: number): number {
  if (maxRows === undefined) return fallback;
  if (typeof maxRows !== "number" || !Number.isInteger(maxRows) || maxRows < 1 || maxRows > MAX_ROWS_LIMIT) {
    throw validation(`MaxRows must be between 1 and ${MAX_ROWS_LIMIT}`);
  }
  return maxRows;
}

export function scalarType(typeId: number): string {
  switch (typeId as DuckDBTypeId) {
    case DuckDBTypeId.BOOLEAN:
      return "BOOLEAN";
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return "INTEGER";
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return "BIGINT";
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return "DOUBLE";
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return "TIMESTAMP";
    case DuckDBTypeId.DATE:
      return "DATE";
    case DuckDBTypeId.TIME:
      return "TIME";
    case DuckDBTypeId.INTERVAL:
      return "INTERVAL_DAY_TO_SECOND";
    case DuckDBTypeId.SQLNULL:
      return "UNKNOWN";
    default:
      return "VARCHAR";
  }
}

function datum(value: unknown, typeId: number): Datum {
  if (value === null || value === undefined) return { NullValue: true };
  if (scalarType(typeId) === "TIMESTAMP") return { ScalarValue: formatTimestamp(timestampNanos(value)) };
  // DuckDB's value classes (decimal, date, interval, …) render themselves in SQL text form.
  return { ScalarValue: (value as { toString(): string }).toString() };
}

function timestampNanos(value: unknown): bigint {
  const v = value as { micros?: bigint; millis?: bigint; seconds?: bigint; nanos?: bigint };
  if (v.nanos !== undefined) return v.nanos;
  if (v.micros !== undefined) return v.micros * 1000n;
  if (v.millis !== undefined) return v.millis * 1_000_000n;
  if (v.seconds !== undefined) return v.seconds * 1_000_000_000n;
  throw new Error(`not a timestamp: ${String(value)}`);
}

/** Timestream's timestamp text: `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`, UTC. */
export function formatTimestamp(nanos: bigint): string {
  let seconds = nanos / 1_000_000_000n;
  let fraction = nanos - seconds * 1_000_000_000n;
  if (fraction < 0n) {
    seconds -= 1n;
    fraction += 1_000_000_000n;
  }
  const date = new Date(Number(seconds) * 1000).toISOString().slice(0, 19).replace("T", " ");
  return `${date}.${fraction.toString().padStart(9, "0")}`;
}
