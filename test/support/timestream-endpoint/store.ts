import { type DuckDBConnection, DuckDBInstance, DuckDBTypeId } from "@duckdb/node-api";
import { SerialQueue } from "../../../src/store/duckdb/serial-queue.js";
import { conflict, notFound, validation } from "./protocol.js";
import {
  MAX_FUTURE_MS,
  MAX_RECORD_BYTES,
  type Measure,
  measureValueProblem,
  recordKey,
  type WriteRecord,
} from "./records.js";
import { TIMESTREAM_MACROS, translateQuery } from "./sql.js";

/** A table's retention and magnetic-write settings (Timestream's defaults: 6 hours, 73000 days, off). */
export interface TableSettings {
  memoryStoreRetentionHours: number;
  magneticStoreRetentionDays: number;
  magneticStoreWrites: boolean;
}

export const DEFAULT_TABLE_SETTINGS: TableSettings = {
  memoryStoreRetentionHours: 6,
  magneticStoreRetentionDays: 73000,
  magneticStoreWrites: false,
};

export interface RejectedRecord {
  RecordIndex: number;
  Reason: string;
  ExistingVersion?: number;
}

export interface WriteOutcome {
  memoryStore: number;
  magneticStore: number;
  rejected: RejectedRecord[];
}

export interface QueryResult {
  columns: { name: string; typeId: number }[];
  rows: unknown[][];
}

type ColumnType = Measure["type"];

interface Column {
  role: "dimension" | "measure";
  type: ColumnType;
}

interface StoredRecord {
  version: bigint;
  /** The measure values, for "same value" comparisons. */
  signature: string;
}

interface Table {
  database: string;
  name: string;
  internal: string;
  settings: TableSettings;
  createdAtMs: number;
  columns: Map<string, Column>;
  records: Map<string, StoredRecord>;
}

export interface StoreOptions {
  /**
   * Reject a re-sent record identical to a stored one at the same version, as Timestream has been
   * observed to do, instead of accepting it as the documentation says. Default false.
   */
  rejectIdenticalDuplicates?: boolean;
}

/**
 * Timestream databases and tables kept in an in-memory DuckDB. Each table is an internal table (record
 * key and version beside the data) behind a view named `"database"."table"` with Timestream's columns:
 * dimensions, measure_name, time, then measure columns (`measure_value::bigint` …, or the names of MULTI
 * measure values). Columns appear as records introduce them, as in Timestream's flexible schema.
 */
export class TimestreamStore {
  private readonly queue = new SerialQueue();
  private readonly databases = new Map<string, Map<string, Table>>();
  private tableCount = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly options: StoreOptions,
  ) {}

  static async create(options: StoreOptions = {}): Promise<TimestreamStore> {
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    await conn.run("SET TimeZone = 'UTC'");
    await conn.run("CREATE SCHEMA ts_internal");
    for (const macro of TIMESTREAM_MACROS) await conn.run(macro);
    return new TimestreamStore(instance, conn, options);
  }

  /** Closes after the operations queued so far (a client that gave up on one leaves it running). */
  close(): Promise<void> {
    return this.queue.run(() => {
      this.conn.closeSync();
      this.instance.closeSync();
      return Promise.resolve();
    });
  }

  createDatabase(name: string): Promise<void> {
    return this.queue.run(async () => {
      if (this.databases.has(name)) throw conflict(`The database ${name} already exists.`);
      await this.conn.run(`CREATE SCHEMA IF NOT EXISTS ${quote(name)}`);
      this.databases.set(name, new Map());
    });
  }

  hasDatabase(name: string): boolean {
    return this.databases.has(name);
  }

  createTable(
    database: string,
    name: string,
    settings: TableSettings,
    nowMs: number,
  ): Promise<TableSettings> {
    return this.queue.run(async () => {
      const tables = this.databases.get(database);
      if (tables === undefined) throw notFound(`The database ${database} does not exist.`);
      if (tables.has(name)) throw conflict(`The table ${name} already exists.`);
      const table: Table = {
        database,
        name,
        internal: `ts_internal.t${++this.tableCount}`,
        settings: { ...settings },
        createdAtMs: nowMs,
        columns: new Map(),
        records: new Map(),
      };
      await this.conn.run(
        `CREATE TABLE ${table.internal} (record_key VARCHAR PRIMARY KEY, record_version BIGINT NOT NULL,
         measure_name VARCHAR NOT NULL, time TIMESTAMP NOT NULL)`,
      );
      await this.replaceView(table);
      tables.set(name, table);
      return table.settings;
    });
  }

  describeTable(database: string, name: string): { settings: TableSettings; createdAtMs: number } {
    const table = this.table(database, name);
    return { settings: { ...table.settings }, createdAtMs: table.createdAtMs };
  }

  updateTable(database: string, name: string, settings: Partial<TableSettings>): TableSettings {
    const table = this.table(database, name);
    Object.assign(table.settings, settings);
    return { ...table.settings };
  }

  /**
   * Applies a WriteRecords request as Timestream does: records are decided in order; accepted ones are
   * stored even when others in the same request are rejected (the caller sees RejectedRecordsException).
   */
  write(database: string, tableName: string, records: WriteRecord[], nowMs: number): Promise<WriteOutcome> {
    return this.queue.run(async () => {
      const table = this.table(database, tableName);
      const outcome: WriteOutcome = { memoryStore: 0, magneticStore: 0, rejected: [] };
      const pending = new Map<string, StoredRecord>();
      const newColumns = new Map<string, Column>();
      const accepted: { record: WriteRecord; key: string; insert: boolean }[] = [];
      records.forEach((record, index) => {
        const reject = (Reason: string, existing?: bigint) =>
          outcome.rejected.push({
            RecordIndex: index,
            Reason,
            ...(existing === undefined ? {} : { ExistingVersion: Number(existing) }),
          });
        if (record.bytes > MAX_RECORD_BYTES) {
          return reject(`Record size ${record.bytes} bytes exceeds the limit of ${MAX_RECORD_BYTES} bytes.`);
        }
        const placement = placeInTime(table, record.timeNanos, nowMs);
        if ("reason" in placement) return reject(placement.reason);
        const problem = record.measures.map(measureValueProblem).find((p) => p !== undefined);
        if (problem !== undefined) return reject(problem);
        const schemaProblem = this.schemaProblem(table, newColumns, record);
        if (schemaProblem !== undefined) return reject(schemaProblem);
        const key = recordKey(record);
        const signature = JSON.stringify(record.measures.map((m) => [m.column, m.type, normalize(m)]));
        const existing = pending.get(key) ?? table.records.get(key);
        if (existing === undefined || record.version > existing.version) {
          pending.set(key, { version: record.version, signature });
          accepted.push({ record, key, insert: existing === undefined });
        } else if (existing.signature !== signature || this.identicalRejected(record, existing)) {
          return reject(
            record.version === existing.version
              ? "A record already exists with the same time, dimensions, measure name, and record version. A " +
                  "higher record version must be specified in order to update the measure value."
              : `The record version ${record.version} is lower than the existing version ${existing.version}. ` +
                  "A higher version is required to update the measure value.",
            existing.version,
          );
        }
        for (const [name] of record.dimensions) {
          if (!table.columns.has(name)) newColumns.set(name, { role: "dimension", type: "VARCHAR" });
        }
        for (const m of record.measures) {
          if (!table.columns.has(m.column)) newColumns.set(m.column, { role: "measure", type: m.type });
        }
        if (placement.store === "memory") outcome.memoryStore++;
        else outcome.magneticStore++;
      });
      await this.apply(table, newColumns, accepted);
      for (const [key, stored] of pending) table.records.set(key, stored);
      return outcome;
    });
  }

  /**
   * Runs translated Timestream SQL; results are materialized (this store is for tests). `DESCRIBE
   * "database"."table"` answers as Timestream does: a row per column (name, type, Timestream attribute
   * type), the columns some record brought and measure_name and time.
   */
  query(sql: string, nowMs: number): Promise<QueryResult> {
    const described = DESCRIBE.exec(sql);
    if (described !== null) {
      return this.queue.run(() =>
        Promise.resolve(this.describeColumns(unquote(described[1]!), unquote(described[2]!))),
      );
    }
    return this.queue.run(async () => {
      await this.conn.run(
        `SET VARIABLE ts_now = make_timestamp(CAST(${Math.trunc(nowMs) * 1000} AS BIGINT))`,
      );
      let reader;
      try {
        reader = await this.conn.runAndReadAll(translateQuery(sql));
      } catch (err) {
        throw validation(err instanceof Error ? err.message : String(err));
      }
      const names = reader.columnNames();
      const types = reader.columnTypes();
      return {
        columns: names.map((name, i) => ({ name, typeId: types[i]!.typeId })),
        rows: reader.getRows(),
      };
    });
  }

  private describeColumns(database: string, name: string): QueryResult {
    const table = this.databases.get(database)?.get(name);
    // Query reports a missing table as a validation error, as for any other statement.
    if (table === undefined) throw validation(`The table ${database}.${name} does not exist.`);
    const rows: string[][] = [];
    for (const [column, c] of table.columns) {
      if (c.role === "dimension") rows.push([column, "varchar", "DIMENSION"]);
    }
    rows.push(["measure_name", "varchar", "MEASURE_NAME"], ["time", "timestamp", "TIMESTAMP"]);
    for (const [column, c] of table.columns) {
      if (c.role === "measure") {
        const kind = column.startsWith("measure_value::") ? "MEASURE_VALUE" : "MULTI";
        rows.push([column, c.type.toLowerCase(), kind]);
      }
    }
    const varchar = DuckDBTypeId.VARCHAR;
    return {
      columns: ["Column", "Type", "Timestream attribute type"].map((n) => ({ name: n, typeId: varchar })),
      rows,
    };
  }

  private identicalRejected(record: WriteRecord, existing: StoredRecord): boolean {
    return this.options.rejectIdenticalDuplicates === true && record.version === existing.version;
  }

  private table(database: string, name: string): Table {
    const tables = this.databases.get(database);
    if (tables === undefined) throw notFound(`The database ${database} does not exist.`);
    const table = tables.get(name);
    if (table === undefined) throw notFound(`The table ${database}.${name} does not exist.`);
    return table;
  }

  private schemaProblem(
    table: Table,
    newColumns: Map<string, Column>,
    record: WriteRecord,
  ): string | undefined {
    const check = (name: string, wanted: Column): string | undefined => {
      const known = table.columns.get(name) ?? newColumns.get(name);
      if (known === undefined || (known.role === wanted.role && known.type === wanted.type)) return undefined;
      return `Column ${name} already exists as a ${known.role} of type ${known.type}; the record has a ${wanted.role} of type ${wanted.type}.`;
    };
    for (const [name] of record.dimensions) {
      const problem = check(name, { role: "dimension", type: "VARCHAR" });
      if (problem !== undefined) return problem;
    }
    for (const m of record.measures) {
      const problem = check(m.column, { role: "measure", type: m.type });
      if (problem !== undefined) return problem;
    }
    return undefined;
  }

  private async apply(
    table: Table,
    newColumns: Map<string, Column>,
    accepted: { record: WriteRecord; key: string; insert: boolean }[],
  ): Promise<void> {
    if (accepted.length === 0) return;
    await this.conn.run("BEGIN TRANSACTION");
    try {
      let altered = false;
      for (const [name, column] of newColumns) {
        if (table.columns.has(name)) continue;
        await this.conn.run(
          `ALTER TABLE ${table.internal} ADD COLUMN ${quote(name)} ${sqlType(column.type)}`,
        );
        altered = true;
      }
      for (const { record, key, insert } of accepted) {
        const params: string[] = [key, record.version.toString()];
        const param = (value: string) => {
          params.push(value);
          return `$${params.length}`;
        };
        const measureColumns = [...table.columns, ...newColumns].filter(([, c]) => c.role === "measure");
        const measureValues = new Map(record.measures.map((m) => [m.column, m]));
        if (insert) {
          const columns = ["record_key", "record_version", "measure_name", "time"];
          const values = [
            "$1",
            "CAST($2 AS BIGINT)",
            param(record.measureName),
            `make_timestamp(CAST(${param(micros(record.timeNanos))} AS BIGINT))`,
          ];
          for (const [name, value] of record.dimensions) {
            columns.push(quote(name));
            values.push(param(value));
          }
          for (const m of record.measures) {
            columns.push(quote(m.column));
            values.push(valueSql(m, record, param));
          }
          await this.conn.run(
            `INSERT INTO ${table.internal} (${columns.join(", ")}) VALUES (${values.join(", ")})`,
            params,
          );
        } else {
          const sets = ["record_version = CAST($2 AS BIGINT)"];
          for (const [name] of new Map(measureColumns)) {
            const m = measureValues.get(name);
            sets.push(`${quote(name)} = ${m === undefined ? "NULL" : valueSql(m, record, param)}`);
          }
          await this.conn.run(
            `UPDATE ${table.internal} SET ${sets.join(", ")} WHERE record_key = $1`,
            params,
          );
        }
      }
      if (altered) await this.replaceView(table, new Map([...table.columns, ...newColumns]));
      await this.conn.run("COMMIT");
    } catch (err) {
      await this.conn.run("ROLLBACK").catch(() => undefined);
      throw err;
    }
    for (const [name, column] of newColumns) table.columns.set(name, column);
  }

  private async replaceView(table: Table, columns: Map<string, Column> = table.columns): Promise<void> {
    const dimensions = [...columns].filter(([, c]) => c.role === "dimension").map(([n]) => quote(n));
    const measures = [...columns].filter(([, c]) => c.role === "measure").map(([n]) => quote(n));
    const list = [...dimensions, "measure_name", "time", ...measures].join(", ");
    await this.conn.run(
      `CREATE OR REPLACE VIEW ${quote(table.database)}.${quote(table.name)} AS SELECT ${list} FROM ${table.internal}`,
    );
  }
}

/**
 * Which store takes a record at this time, or why none does: the memory store takes the last
 * `memoryStoreRetentionHours` up to 15 minutes ahead; older records go to the magnetic store only when
 * magnetic writes are enabled, within its retention.
 */
function placeInTime(
  table: Table,
  timeNanos: bigint,
  nowMs: number,
): { store: "memory" | "magnetic" } | { reason: string } {
  const timeMs = Number(timeNanos / 1_000_000n);
  const memoryStart = nowMs - table.settings.memoryStoreRetentionHours * 3_600_000;
  const end = nowMs + MAX_FUTURE_MS;
  const outsideWindow = {
    reason:
      `The record timestamp is outside the time range [${new Date(memoryStart).toISOString()}, ` +
      `${new Date(end).toISOString()}] of the data ingestion window.`,
  };
  if (timeMs > end) return outsideWindow;
  if (timeMs >= memoryStart) return { store: "memory" };
  if (!table.settings.magneticStoreWrites) return outsideWindow;
  if (timeMs >= nowMs - table.settings.magneticStoreRetentionDays * 86_400_000) return { store: "magnetic" };
  return { reason: "The record timestamp is outside the magnetic store retention period of the table." };
}

function valueSql(m: Measure, record: WriteRecord, param: (value: string) => string): string {
  switch (m.type) {
    case "TIMESTAMP":
      return `make_timestamp(CAST(${param(micros(BigInt(m.value) * record.timeUnitNanos))} AS BIGINT))`;
    case "BOOLEAN":
      return `CAST(${param(m.value.toLowerCase())} AS BOOLEAN)`;
    default:
      return `CAST(${param(m.value)} AS ${sqlType(m.type)})`;
  }
}

function normalize(m: Measure): string {
  switch (m.type) {
    case "BIGINT":
      return BigInt(m.value).toString();
    case "DOUBLE":
      return String(Number(m.value));
    case "BOOLEAN":
      return m.value.toLowerCase();
    default:
      return m.value;
  }
}

function micros(nanos: bigint): string {
  return (nanos / 1000n).toString();
}

function sqlType(type: ColumnType): string {
  return type === "VARCHAR" ? "VARCHAR" : type;
}

/** `DESCRIBE "database"."table"`, the names quoted as the product quotes them. */
const DESCRIBE = /^\s*DESCRIBE\s+("(?:[^"]|"")+")\s*\.\s*("(?:[^"]|"")+")\s*;?\s*$/i;

function unquote(identifier: string): string {
  return identifier.slice(1, -1).replaceAll('""', '"');
}

export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
