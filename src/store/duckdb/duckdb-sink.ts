import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBTimestampTZValue,
} from "@duckdb/node-api";
import {
  type DomainError,
  FailedPreconditionError,
  InternalError,
  isDomainError,
  UnavailableError,
} from "../../errors/errors.js";
import type { Event, UsageReport } from "../../gen/tenants/tenants.js";
import { newRegistry, type Registry } from "../../observability/metrics.js";
import { type Logger, silentLogger } from "../../observability/logger.js";
import { toEventRecords, validateTenant } from "../event-record.js";
import type { BackfillOptions, RollupBackfill } from "../rollup-backfill.js";
import type { ExpireResult, Sink, WriteResult } from "../sink.js";
import { type SinkMetrics, sinkMetrics } from "../sink-metrics.js";
import { USAGE_COUNTS } from "../../activity/usage-report-rules.js";
import { toUsageRecords } from "../usage-record.js";
import { expireDuckDbEvents } from "./event-expiry.js";
import { startDuckDbBackfill } from "./rollup-backfill.js";
import { migrate, utcDayStart } from "./schema.js";
import { RecordedKeys, rollupKey } from "../recorded-keys.js";
import { SerialQueue } from "./serial-queue.js";

export interface DuckDbSinkOptions {
  /** Clock for `received_at`; default `() => new Date()`. */
  now?: () => Date;
  /** Default: silentLogger. */
  logger?: Logger;
  /** Registry for the sink's metrics; default: a private registry. */
  registry?: Registry;
  /** The rollup backfill's progress and retry intervals (rollup-backfill.ts); defaults there. */
  backfill?: Omit<BackfillOptions, "logger">;
}

const EVENT_COLUMNS = `tenant, id, time, type, "user", user_kind, protocol, cluster, session_kind`;
const USAGE_COLUMNS = `tenant, time, cluster, ${USAGE_COUNTS.join(", ")}`;
const ROLLUP_COLUMNS = `tenant, time, user_kind, protocol, "user"`;

/**
 * The embedded sink: one DuckDB file (`duckdb:PATH`).
 *
 * A batch is appended (DuckDB's appender, not row-by-row statements) into a connection-local temporary
 * staging table, then moved with one `INSERT … SELECT … ON CONFLICT DO NOTHING`, all in one transaction:
 * the primary key (tenant, id) makes re-sent events no-ops, and the batch commits wholly or not at all.
 * The same transaction adds the batch's rows of the daily activity rollup (`daily_activity`), derived from
 * the events the insert returned as stored, so the rollup stays the exact projection of `events`.
 *
 * Durability: DuckDB's COMMIT appends the transaction to the write-ahead log, ends it with a flush marker
 * and fsyncs the log before returning; recovery on open replays only checksummed entries up to the last
 * complete flush, so a crash mid-commit leaves the batch wholly absent, never torn. Checkpoints (merging
 * the log into the database file; automatic once the log passes `checkpoint_threshold`, 16 MB by
 * default, and on close) fsync the file before the log is truncated. So `write` resolving means the batch
 * survives a crash of the process, and of the machine as far as the disk honours fsync.
 *
 * DuckDB has a single writer: writes are serialized through one connection. The file is locked against
 * other processes while open.
 */
export class DuckDbSink implements Sink {
  private readonly queue = new SerialQueue();
  private closed = false;
  private reader: Promise<DuckDBConnection> | undefined;
  private backfillRun: RollupBackfill | undefined;
  /** Daily activity rows committed by this sink; rollup rows are never deleted, so they stay true. */
  private readonly rollupRecorded = new RecordedKeys();

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly now: () => Date,
    private readonly logger: Logger,
    private readonly metrics: SinkMetrics,
  ) {}

  /** Opens (creating if needed) the database at `path` (":memory:" for a throwaway one) and migrates it. */
  static async open(path: string, options: DuckDbSinkOptions = {}): Promise<DuckDbSink> {
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(path);
      const writer = await instance.connect();
      await migrate(writer);
      await createStagingTables(writer);
      const sink = new DuckDbSink(
        path,
        instance,
        writer,
        options.now ?? (() => new Date()),
        options.logger ?? silentLogger,
        sinkMetrics(options.registry ?? newRegistry(), "duckdb"),
      );
      sink.logger.info({ path }, "duckdb sink open");
      sink.backfillRun = startDuckDbBackfill((body) => sink.queue.run(() => sink.transaction(body)), {
        ...options.backfill,
        logger: sink.logger,
      });
      return sink;
    } catch (err) {
      instance?.closeSync();
      throw translateOpenError(path, err);
    }
  }

  /**
   * A connection for the query layer (MAU SQL), separate from the writer so queries never run inside a
   * write transaction; it sees committed batches only. Created on first use and closed with the sink.
   * Read through it; writing through it bypasses the sink's guarantees.
   */
  queryConnection(): Promise<DuckDBConnection> {
    if (this.closed) return Promise.reject(new UnavailableError("the DuckDB sink is closed"));
    this.reader ??= this.instance.connect();
    return this.reader;
  }

  write(tenant: string, events: readonly Event[]): Promise<WriteResult> {
    return this.guard("event", async () => {
      validateTenant(tenant);
      const records = toEventRecords(events);
      if (records.length === 0) return { accepted: 0 };
      const inserted = await this.transaction(async (conn) => {
        await appendAll(conn, "events_staging", (appender) => {
          for (const r of records) {
            appender.appendVarchar(tenant);
            appender.appendVarchar(r.id);
            appender.appendTimestampTZ(new DuckDBTimestampTZValue(r.timeMicros));
            appender.appendVarchar(r.type);
            appender.appendVarchar(r.user);
            appender.appendTinyInt(r.userKind);
            appender.appendVarchar(r.protocol);
            appender.appendVarchar(r.cluster);
            appender.appendVarchar(r.sessionKind);
            appender.endRow();
          }
        });
        // RETURNING yields only the rows the primary key let in, so the rollup is derived from what was
        // stored, never from a re-sent event (whose content may differ from the stored one).
        const result = await conn.runAndReadAll(
          `INSERT INTO events (${EVENT_COLUMNS}, received_at)
           SELECT ${EVENT_COLUMNS}, $1 FROM temp.events_staging
           ON CONFLICT DO NOTHING
           RETURNING ${utcDayStart("time")} AS day, user_kind, protocol, "user"`,
          [this.receivedAt()],
        );
        await conn.run("DELETE FROM temp.events_staging");
        const stored = result.getRows();
        return { count: stored.length, rollup: await writeRollup(conn, tenant, stored, this.rollupRecorded) };
      });
      this.rollupRecorded.addAll(inserted.rollup);
      this.logger.debug(
        { tenant, events: events.length, inserted: inserted.count },
        "duckdb batch committed",
      );
      return { accepted: events.length };
    });
  }

  writeUsageReports(tenant: string, reports: readonly UsageReport[]): Promise<WriteResult> {
    return this.guard("usage_report", async () => {
      validateTenant(tenant);
      const records = toUsageRecords(reports);
      if (records.length === 0) return { accepted: 0 };
      await this.transaction(async (conn) => {
        await appendAll(conn, "usage_reports_staging", (appender) => {
          for (const r of records) {
            appender.appendVarchar(tenant);
            appender.appendTimestampTZ(new DuckDBTimestampTZValue(r.timeMicros));
            appender.appendVarchar(r.cluster);
            for (const name of USAGE_COUNTS) appender.appendBigInt(r.counts[name]);
            appender.endRow();
          }
        });
        await conn.run(
          `INSERT INTO usage_reports (${USAGE_COLUMNS}, received_at)
           SELECT ${USAGE_COLUMNS}, $1 FROM temp.usage_reports_staging
           ON CONFLICT DO NOTHING`,
          [this.receivedAt()],
        );
        await conn.run("DELETE FROM temp.usage_reports_staging");
      });
      return { accepted: reports.length };
    });
  }

  /**
   * The build of the daily activity rollup from events stored before it existed, started on open in the
   * background (rollup-backfill.ts); resolves at once when there is nothing to build.
   */
  get backfill(): Promise<"complete" | "stopped"> {
    return this.backfillRun?.done ?? Promise.resolve("complete");
  }

  /** Deletes events before `before`; deferred while the rollup backfill runs (event-expiry.ts). */
  async expireEvents(before: Date): Promise<ExpireResult> {
    if (this.closed) throw new UnavailableError("the DuckDB sink is closed");
    try {
      return await this.queue.run(() => this.transaction((conn) => expireDuckDbEvents(conn, before)));
    } catch (err) {
      if (isDomainError(err)) throw err;
      throw new InternalError("the DuckDB sink failed to expire events", { cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backfillRun?.stop();
    await this.queue.drain();
    if (this.reader !== undefined) (await this.reader.catch(() => undefined))?.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
    this.logger.info({ path: this.path }, "duckdb sink closed");
  }

  private async guard(
    item: "event" | "usage_report",
    body: () => Promise<WriteResult>,
  ): Promise<WriteResult> {
    try {
      if (this.closed) throw new UnavailableError("the DuckDB sink is closed");
      const result = await this.queue.run(body);
      this.metrics.written.inc({ sink: "duckdb", item }, result.accepted);
      return result;
    } catch (err) {
      const error = translateWriteError(err);
      this.metrics.failedBatches.inc({ sink: "duckdb", reason: error.kind });
      throw error;
    }
  }

  private async transaction<T>(body: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    await this.writer.run("BEGIN TRANSACTION");
    try {
      const result = await body(this.writer);
      await this.writer.run("COMMIT");
      return result;
    } catch (err) {
      // A failed COMMIT has already rolled back; ROLLBACK then fails harmlessly.
      await this.writer.run("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  private receivedAt(): DuckDBTimestampTZValue {
    return new DuckDBTimestampTZValue(BigInt(this.now().getTime()) * 1000n);
  }
}

async function createStagingTables(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE TEMP TABLE events_staging AS SELECT ${EVENT_COLUMNS} FROM events LIMIT 0`);
  await conn.run(
    `CREATE TEMP TABLE daily_activity_staging AS SELECT ${ROLLUP_COLUMNS} FROM daily_activity LIMIT 0`,
  );
  await conn.run(
    `CREATE TEMP TABLE usage_reports_staging AS SELECT ${USAGE_COLUMNS} FROM usage_reports LIMIT 0`,
  );
}

/**
 * Adds the daily activity rows of the events just inserted (`stored`: day, user_kind, protocol, user, as
 * RETURNING gave them), each distinct one with a user once, through the staging table, skipping those
 * `recorded` knows are committed; ON CONFLICT DO NOTHING skips the others an earlier batch wrote. Returns
 * the keys of the rows it wrote, for `recorded` once the transaction commits.
 */
async function writeRollup(
  conn: DuckDBConnection,
  tenant: string,
  stored: readonly (readonly unknown[])[],
  recorded: RecordedKeys,
): Promise<string[]> {
  const rows = new Map<
    string,
    { day: DuckDBTimestampTZValue; userKind: number; protocol: string; user: string }
  >();
  for (const [day, userKind, protocol, user] of stored) {
    if (user === "") continue;
    if (
      !(day instanceof DuckDBTimestampTZValue) ||
      typeof userKind !== "number" ||
      typeof protocol !== "string" ||
      typeof user !== "string"
    ) {
      throw new InternalError("the DuckDB sink read back an inserted event of unexpected types");
    }
    const key = rollupKey(tenant, day.micros, userKind, protocol, user);
    if (!recorded.has(key)) rows.set(key, { day, userKind, protocol, user });
  }
  if (rows.size === 0) return [];
  await appendAll(conn, "daily_activity_staging", (appender) => {
    for (const r of rows.values()) {
      appender.appendVarchar(tenant);
      appender.appendTimestampTZ(r.day);
      appender.appendTinyInt(r.userKind);
      appender.appendVarchar(r.protocol);
      appender.appendVarchar(r.user);
      appender.endRow();
    }
  });
  await conn.run(
    `INSERT INTO daily_activity (${ROLLUP_COLUMNS})
     SELECT ${ROLLUP_COLUMNS} FROM temp.daily_activity_staging
     ON CONFLICT DO NOTHING`,
  );
  await conn.run("DELETE FROM temp.daily_activity_staging");
  return [...rows.keys()];
}

async function appendAll(
  conn: DuckDBConnection,
  table: string,
  fill: (appender: DuckDBAppender) => void,
): Promise<void> {
  const appender = await conn.createAppender(table, "main", "temp");
  try {
    fill(appender);
  } finally {
    appender.closeSync();
  }
}

function translateOpenError(path: string, err: unknown): DomainError {
  if (isDomainError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/lock/i.test(message)) {
    return new FailedPreconditionError(`DuckDB database ${path} is in use by another process`, {
      cause: err,
    });
  }
  return new InternalError(`cannot open DuckDB database ${path}: ${message}`, { cause: err });
}

function translateWriteError(err: unknown): DomainError {
  if (isDomainError(err)) return err;
  return new InternalError("the DuckDB sink failed to store the batch", { cause: err });
}
