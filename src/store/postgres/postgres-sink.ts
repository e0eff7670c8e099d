import type pg from "pg";
import { type DomainError, UnavailableError } from "../../errors/errors.js";
import type { Event, UsageReport } from "../../gen/tenants/tenants.js";
import { type Logger, silentLogger } from "../../observability/logger.js";
import { newRegistry, type Registry } from "../../observability/metrics.js";
import { toEventRecords, validateTenant } from "../event-record.js";
import type { BackfillOptions, RollupBackfill } from "../rollup-backfill.js";
import type { ExpireResult, Sink, WriteResult } from "../sink.js";
import { redactPassword } from "../sink-spec.js";
import { type SinkMetrics, sinkMetrics } from "../sink-metrics.js";
import { USAGE_COUNTS } from "../../activity/usage-report-rules.js";
import { toUsageRecords } from "../usage-record.js";
import { RecordedKeys } from "../recorded-keys.js";
import { advisoryLockSql, LOCK_PARTITIONS } from "./advisory-locks.js";
import { BATCH_STATEMENTS, type CommittedRollup, planRollup, recordCommitted } from "./batch-statement.js";
import { createPartitionSql, monthOfMicros, monthsOf, nextMonth, type PartitionMonth } from "./partitions.js";
import { isRetryableTransaction, sqlState, translatePgError } from "./pg-errors.js";
import { expirePostgresEvents } from "./event-expiry.js";
import { createPgPool, type PgPoolOptions } from "./pg-pool.js";
import { timestamptzText } from "./pg-timestamp.js";
import { startPostgresBackfill } from "./rollup-backfill.js";
import { migrate } from "./schema.js";
import { checkEventsText, checkStorableText } from "./storable-text.js";

export interface PostgresSinkOptions extends PgPoolOptions {
  /** Clock for `received_at` and for the partitions created ahead on open; default `() => new Date()`. */
  now?: () => Date;
  /** Default: silentLogger. */
  logger?: Logger;
  /** Registry for the sink's metrics; default: a private registry. */
  registry?: Registry;
  /**
   * How long creating a partition waits for the lock on `events` (held briefly by every write, and for
   * their whole run by queries) before the batch fails as UnavailableError; default 5 000 ms.
   */
  partitionLockTimeoutMs?: number;
  /**
   * The rollup backfill's progress and retry intervals (rollup-backfill.ts; the retry is also how often
   * a replica that found another building looks again); defaults there. The build holds one of the
   * pool's connections while it runs.
   */
  backfill?: Omit<BackfillOptions, "logger">;
}

/** Attempts of a statement PostgreSQL rolled back as a deadlock or serialization failure. */
const MAX_ATTEMPTS = 3;

const INSERT_USAGE = `INSERT INTO usage_reports (tenant, time, cluster, ${USAGE_COUNTS.join(", ")}, received_at)
SELECT $1::text, time, cluster, ${USAGE_COUNTS.join(", ")}, $2::timestamptz
FROM unnest($3::timestamptz[], $4::text[], ${USAGE_COUNTS.map((_, i) => `$${i + 5}::bigint[]`).join(", ")})
  AS batch(time, cluster, ${USAGE_COUNTS.join(", ")})
ORDER BY cluster, time
ON CONFLICT DO NOTHING`;

/**
 * The sink for PostgreSQL (`postgres://…`; Aurora and RDS included), through a pool of `pg` connections.
 *
 * A batch is one multi-row `INSERT … SELECT … FROM unnest($arrays) … ON CONFLICT DO NOTHING`, with the
 * daily and monthly activity rollup rows of the events it inserted added by the same statement
 * (data-modifying CTEs): one statement, so one implicit transaction, wholly committed or not at all; the
 * primary key makes re-sent events no-ops (see schema.ts for why (tenant, id, time) keys events as well
 * as (tenant, id) would), and the rollup is derived from the stored events only. Rows of every table are
 * inserted in key order, so concurrent writers (other sinks, other processes) that overlap wait for each
 * other instead of deadlocking; a deadlock or serialization failure that happens anyway is retried.
 *
 * The sink remembers the daily and monthly keys its statements committed (RecordedKeys; rollup rows are
 * never deleted, and a committed daily row has its monthly row) and leaves out of a batch's statement
 * the rollup part that would add nothing (batch-statement.ts): in steady traffic most batches bring
 * users already active that day, or that month, and a statement with both rollup parts costs about
 * twice one without.
 *
 * Durability: every connection runs with `synchronous_commit = on`, so the statement returns only after
 * its commit record is flushed to the WAL; `write` resolving means the batch survives a crash of this
 * process and of the server (as far as the server's fsync is on and honoured).
 *
 * Partitions: before a batch is inserted, the partitions of its months are created if this sink has not
 * seen them yet, each in a short transaction under an advisory lock. The current and next month are
 * created ahead on open, so month boundaries rarely wait for the lock creation needs on `events`.
 */
export class PostgresSink implements Sink {
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly knownMonths = new Set<string>();
  private readonly committed: CommittedRollup = { daily: new RecordedKeys(), monthly: new RecordedKeys() };
  private backfillRun: RollupBackfill | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly name: string,
    private readonly now: () => Date,
    private readonly logger: Logger,
    private readonly metrics: SinkMetrics,
    private readonly partitionLockTimeoutMs: number,
  ) {}

  /** Connects, migrates the schema and creates the partitions of the current and next month. */
  static async open(url: string, options: PostgresSinkOptions = {}): Promise<PostgresSink> {
    const name = redactPassword(url);
    const logger = options.logger ?? silentLogger;
    const pool = createPgPool(url, options, logger);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
      const sink = new PostgresSink(
        pool,
        name,
        options.now ?? (() => new Date()),
        logger,
        sinkMetrics(options.registry ?? newRegistry(), "postgres"),
        options.partitionLockTimeoutMs ?? 5_000,
      );
      await sink.createAhead();
      logger.info({ url: name }, "postgres sink open");
      sink.backfillRun = startPostgresBackfill(pool, { ...options.backfill, logger });
      return sink;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw translatePgError(err, `cannot open the PostgreSQL sink at ${name}`);
    }
  }

  /**
   * The sink's pool, for the query layer (MAU SQL) in the same process; it sees committed batches only.
   * Read through it; writing through it bypasses the sink's guarantees. Ended when the sink closes.
   */
  queryPool(): pg.Pool {
    if (this.closed) throw new UnavailableError("the PostgreSQL sink is closed");
    return this.pool;
  }

  write(tenant: string, events: readonly Event[]): Promise<WriteResult> {
    return this.guard("event", async () => {
      validateTenant(tenant);
      checkStorableText(tenant, "tenant");
      const records = toEventRecords(events);
      if (records.length === 0) return { accepted: 0 };
      checkEventsText(events);
      await this.ensurePartitions(monthsOf(records.map((r) => r.timeMicros)));
      // Most batches bring users already active that day, or at least that month: the rollup rows
      // known to be committed are left out of the statement.
      const plan = planRollup(tenant, records, this.committed);
      const result = await this.retrying(() =>
        this.pool.query<{ inserted?: number }>(BATCH_STATEMENTS[plan.part], [
          tenant,
          this.receivedAt(),
          records.map((r) => r.id),
          records.map((r) => timestamptzText(r.timeMicros)),
          records.map((r) => r.type),
          records.map((r) => r.user),
          records.map((r) => r.userKind),
          records.map((r) => r.protocol),
          records.map((r) => r.cluster),
          records.map((r) => r.sessionKind),
        ]),
      );
      const inserted = result.rows[0]?.inserted;
      recordCommitted(plan, records.length, inserted, this.committed);
      this.logger.debug(
        { tenant, events: events.length, inserted, rollup: plan.part },
        "postgres batch committed",
      );
      return { accepted: events.length };
    });
  }

  writeUsageReports(tenant: string, reports: readonly UsageReport[]): Promise<WriteResult> {
    return this.guard("usage_report", async () => {
      validateTenant(tenant);
      checkStorableText(tenant, "tenant");
      const records = toUsageRecords(reports);
      if (records.length === 0) return { accepted: 0 };
      reports.forEach((r, i) => checkStorableText(r.cluster, `usage report ${i}: cluster`));
      await this.retrying(() =>
        this.pool.query(INSERT_USAGE, [
          tenant,
          this.receivedAt(),
          records.map((r) => timestamptzText(r.timeMicros)),
          records.map((r) => r.cluster),
          ...USAGE_COUNTS.map((name) => records.map((r) => r.counts[name].toString())),
        ]),
      );
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

  /** Drops the whole months of events before `before`'s month; deferred while the backfill runs. */
  async expireEvents(before: Date): Promise<ExpireResult> {
    if (this.closed) throw new UnavailableError("the PostgreSQL sink is closed");
    const pending = expirePostgresEvents(this.pool, before, {
      lockTimeoutMs: this.partitionLockTimeoutMs,
      logger: this.logger,
    });
    this.inFlight.add(pending);
    try {
      return await pending;
    } catch (err) {
      throw translatePgError(err, "the PostgreSQL sink failed to expire events");
    } finally {
      this.inFlight.delete(pending);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backfillRun?.stop();
    await Promise.allSettled([...this.inFlight]);
    await this.pool.end();
    this.logger.info({ url: this.name }, "postgres sink closed");
  }

  private async guard(
    item: "event" | "usage_report",
    body: () => Promise<WriteResult>,
  ): Promise<WriteResult> {
    try {
      if (this.closed) throw new UnavailableError("the PostgreSQL sink is closed");
      const pending = body();
      this.inFlight.add(pending);
      try {
        const result = await pending;
        this.metrics.written.inc({ sink: "postgres", item }, result.accepted);
        return result;
      } finally {
        this.inFlight.delete(pending);
      }
    } catch (err) {
      const error: DomainError = translatePgError(err, "the PostgreSQL sink failed to store the batch");
      this.metrics.failedBatches.inc({ sink: "postgres", reason: error.kind });
      throw error;
    }
  }

  private async retrying<T>(statement: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await statement();
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !isRetryableTransaction(err)) throw err;
        this.metrics.retries.inc({ sink: "postgres" });
      }
    }
  }

  /** Creates the partitions of the current and next month; failures are logged, writes retry them. */
  private async createAhead(): Promise<void> {
    const current = monthOfMicros(BigInt(this.now().getTime()) * 1000n);
    try {
      await this.ensurePartitions([current, nextMonth(current)]);
    } catch (err) {
      this.logger.warn({ err }, "postgres: cannot create partitions ahead; writes will create them");
    }
  }

  private async ensurePartitions(months: readonly PartitionMonth[]): Promise<void> {
    for (const month of months) {
      const key = `${month.year}-${month.month}`;
      if (this.knownMonths.has(key)) continue;
      await this.createPartition(month);
      this.knownMonths.add(key);
    }
  }

  /**
   * One partition in its own transaction. The advisory lock serializes creators (concurrent CREATE TABLE
   * IF NOT EXISTS may still collide in the catalog); IF NOT EXISTS returns before locking `events` when
   * the partition is there. If the default partition already holds rows of the month (the partition was
   * dropped and data arrived meanwhile), PostgreSQL refuses the partition: the month keeps landing in the
   * default partition, which queries read too, and an operator is told.
   */
  private async createPartition(month: PartitionMonth): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      try {
        await client.query(
          `SET LOCAL lock_timeout = ${Math.max(1, Math.trunc(this.partitionLockTimeoutMs))}`,
        );
        await client.query(advisoryLockSql(LOCK_PARTITIONS));
        await client.query(createPartitionSql(month));
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        if (sqlState(err) === "23514") {
          this.logger.warn(
            { month: `${month.year}-${month.month}` },
            "postgres: rows of this month are in events_default; move them to create its partition",
          );
          return;
        }
        throw err;
      }
    } finally {
      client.release();
    }
  }

  private receivedAt(): string {
    return timestamptzText(BigInt(this.now().getTime()) * 1000n);
  }
}
