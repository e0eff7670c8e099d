import {
  type _Record,
  type RejectedRecord,
  RejectedRecordsException,
  TimestreamWriteClient,
  type TimestreamWriteClientConfig,
  WriteRecordsCommand,
} from "@aws-sdk/client-timestream-write";
import {
  type DomainError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  isDomainError,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
} from "../../errors/errors.js";
import type { Event, UsageReport } from "../../gen/tenants/tenants.js";
import { type Logger, silentLogger } from "../../observability/logger.js";
import { newRegistry, type Registry } from "../../observability/metrics.js";
import { toEventRecords, validateTenant } from "../event-record.js";
import type { Sink, WriteResult } from "../sink.js";
import { type SinkMetrics, sinkMetrics } from "../sink-metrics.js";
import { microsToIso, microsToMillis } from "../timestamp.js";
import { toUsageRecords } from "../usage-record.js";
import { resolveBackoff } from "../../time/backoff.js";
import { retry, type RetryPolicy } from "../../time/retry.js";
import { DEFAULT_RETRY, isRetryable, type RetryOptions } from "./timestream-retry.js";
import { forEachBounded } from "./bounded.js";
import { classifyRejection, type RejectionCause } from "./rejections.js";
import {
  TimestreamFutureTimeError,
  TimestreamRejectedError,
  TimestreamRetentionError,
  type RejectedItem,
} from "./timestream-errors.js";
import {
  type ActiveDay,
  activeDayCommonAttributes,
  activeDayRecord,
  activeDays,
  chunk,
  eventCommonAttributes,
  eventRecord,
  MAX_RECORDS_PER_WRITE,
  RECORD_VERSION,
  usageCommonAttributes,
  usageRecord,
} from "./timestream-records.js";
import { type TimestreamTable, type TimestreamTables, timestreamTables } from "./timestream-tables.js";
import { formatDay } from "../../mau/calendar.js";
import type { BackfillOptions, RollupBackfill } from "../rollup-backfill.js";
import { startTimestreamBackfill } from "./rollup-backfill.js";
import { stateCommonAttributes, stateRecord } from "./rollup-state.js";
import { TimestreamQuerier } from "./timestream-query.js";

/** Where to write: `database`, `table` (events, usage reports) and `rollupTable` (default `${table}_daily`). */
export interface TimestreamSinkOptions extends TimestreamTable {
  /** Region; default: the AWS SDK's chain (AWS_REGION, shared config). */
  region?: string;
  /**
   * A custom endpoint URL (tests, VPC endpoints). Default: the SDK's endpoint discovery, which Timestream
   * requires; the SDK skips discovery when an endpoint is given.
   */
  endpoint?: string;
  /** Default: the AWS SDK's credential chain (environment, shared files, SSO, IMDS/ECS roles). */
  credentials?: TimestreamWriteClientConfig["credentials"];
  /** WriteRecords requests in flight per batch; default 4. */
  concurrency?: number;
  /** Retry of throttling, 5xx and connection errors; see RetryOptions for defaults. */
  retry?: RetryOptions;
  /** Clock used to tell "too old" from "too far ahead" in rejections; default `() => new Date()`. */
  now?: () => Date;
  /** Source of jitter in [0, 1); default Math.random. */
  random?: () => number;
  /** Default: silentLogger. */
  logger?: Logger;
  /** Registry for the sink's metrics; default: a private registry. */
  registry?: Registry;
  /** The rollup backfill's progress and retry intervals (rollup-backfill.ts); defaults there. */
  backfill?: Omit<BackfillOptions, "logger">;
  /** Rows per Query page the backfill reads (MaxRows, 1..1000); default: Timestream's choice. */
  queryPageSize?: number;
}

/** A table the sink writes, with its name as errors and logs give it. */
interface Target {
  table: string;
  name: string;
}

/** One record on its way to Timestream, with what is needed to judge a rejection of it. */
interface Pending {
  record: _Record;
  item: string;
  timeMs: number;
  constantMeasure: boolean;
}

/**
 * The Amazon Timestream sink (`timestream:DATABASE/TABLE[,ROLLUP_TABLE]`); the record model is in
 * timestream-records.ts.
 *
 * A batch of events is written in two steps: the event records to the table, then, once all of them are
 * stored, the batch's daily activity records to the rollup table. The batch is acknowledged only when
 * both are; a failure in either fails it, and the re-sent batch re-writes both, each record an identical
 * upsert. So every stored event's active day is in the rollup table once its batch is acknowledged
 * (until then, only a re-send of the batch can complete it, which the caller does).
 *
 * A batch is split into WriteRecords requests of at most 100 records, sent with bounded concurrency.
 * Throttling, 5xx and connection errors are retried with full-jitter exponential backoff (the SDK's own
 * retries are off so there is one policy, with one metric). A RejectedRecordsException fails the batch
 * unless every rejection is a harmless duplicate (see rejections.ts): Timestream stores a request's
 * accepted records even when it rejects others, so acknowledging would lose the rejected ones, while
 * failing is safe since writes are idempotent and the caller re-sends the whole batch.
 *
 * Durability: Timestream acknowledges WriteRecords only after the records are durably stored, so a
 * resolved `write` means every request of the batch was acknowledged (without harmful rejections).
 *
 * Records older than the table's memory store retention are rejected unless magnetic store writes are
 * enabled on the table; that surfaces as TimestreamRetentionError (FAILED_PRECONDITION) naming the
 * setting. Records more than 15 minutes ahead surface as TimestreamFutureTimeError.
 *
 * `TimestreamSink.open` also builds the rollup of events stored before it (or before its state was
 * kept) in the background (rollup-backfill.ts), reading the tables through Timestream Query; the
 * constructor alone only writes.
 */
export class TimestreamSink implements Sink {
  private readonly client: TimestreamWriteClient;
  private readonly retry: RetryPolicy;
  private readonly concurrency: number;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly metrics: SinkMetrics;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private backfillRun: RollupBackfill | undefined;
  private querier: TimestreamQuerier | undefined;

  private readonly tables: TimestreamTables;
  private readonly events: Target;
  private readonly rollup: Target;

  readonly name: string;

  constructor(options: TimestreamSinkOptions) {
    this.tables = timestreamTables(options);
    this.events = { table: this.tables.table, name: `${this.tables.database}/${this.tables.table}` };
    this.rollup = {
      table: this.tables.rollupTable,
      name: `${this.tables.database}/${this.tables.rollupTable}`,
    };
    this.name = this.events.name;
    this.client = new TimestreamWriteClient({
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      maxAttempts: 1,
    });
    this.retry = {
      backoff: resolveBackoff(options.retry, DEFAULT_RETRY, "Timestream retry"),
      // A rejection is judged, not retried: its records were refused for what they hold.
      isRetryable: (err) => !(err instanceof RejectedRecordsException) && isRetryable(err),
      maxAttempts: options.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    };
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.metrics = sinkMetrics(options.registry ?? newRegistry(), "timestream");
  }

  /** A sink that, besides writing, builds the rollup of the stored events in the background. */
  static open(options: TimestreamSinkOptions): TimestreamSink {
    const sink = new TimestreamSink(options);
    sink.startBackfill(options);
    return sink;
  }

  /**
   * The build of the daily activity rollup from the stored events, started by `open` in the background;
   * resolves at once for a sink made without it.
   */
  get backfill(): Promise<"complete" | "stopped"> {
    return this.backfillRun?.done ?? Promise.resolve("complete");
  }

  write(tenant: string, events: readonly Event[]): Promise<WriteResult> {
    return this.track("event", async () => {
      validateTenant(tenant);
      const records = toEventRecords(events);
      const pending = records.map((event): Pending => ({
        record: eventRecord(event),
        item: `event ${event.id}`,
        timeMs: Number(microsToMillis(event.timeMicros)),
        constantMeasure: true,
      }));
      await this.send(this.events, eventCommonAttributes(tenant), pending);
      const days = activeDays(records).map((active) => this.activeDayPending(active));
      await this.send(this.rollup, activeDayCommonAttributes(tenant), days);
      return { accepted: events.length };
    });
  }

  writeUsageReports(tenant: string, reports: readonly UsageReport[]): Promise<WriteResult> {
    return this.track("usage_report", async () => {
      validateTenant(tenant);
      const pending = toUsageRecords(reports).map((report): Pending => ({
        record: usageRecord(report),
        item: `usage report ${report.cluster}@${microsToIso(report.timeMicros)}`,
        timeMs: Number(microsToMillis(report.timeMicros)),
        constantMeasure: false,
      }));
      await this.send(this.events, usageCommonAttributes(tenant), pending);
      return { accepted: reports.length };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backfillRun?.stop();
    await Promise.allSettled([...this.inFlight]);
    this.querier?.close();
    this.client.destroy();
  }

  private startBackfill(options: TimestreamSinkOptions): void {
    const querier = new TimestreamQuerier(
      {
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
        ...(options.queryPageSize === undefined ? {} : { pageSize: options.queryPageSize }),
      },
      `${this.events.name} or ${this.rollup.name}`,
    );
    this.querier = querier;
    this.backfillRun = startTimestreamBackfill(
      {
        querier,
        tables: this.tables,
        now: () => this.now().getTime(),
        random: this.random,
        writer: {
          activeDays: (tenant, days) =>
            this.send(
              this.rollup,
              activeDayCommonAttributes(tenant),
              days.map((active) => this.activeDayPending(active)),
            ),
          state: (state) =>
            this.send(this.rollup, stateCommonAttributes(), [
              {
                record: stateRecord(state),
                item: "daily activity rollup state",
                timeMs: state.timeMs,
                constantMeasure: false,
              },
            ]),
        },
      },
      { ...options.backfill, logger: this.logger },
    );
  }

  private async track(
    item: "event" | "usage_report",
    body: () => Promise<WriteResult>,
  ): Promise<WriteResult> {
    if (this.closed) throw new UnavailableError("the Timestream sink is closed");
    const run = body();
    this.inFlight.add(run);
    try {
      const result = await run;
      this.metrics.written.inc({ sink: "timestream", item }, result.accepted);
      return result;
    } catch (err) {
      const error = isDomainError(err)
        ? err
        : new InternalError("the Timestream sink failed", { cause: err });
      this.metrics.failedBatches.inc({ sink: "timestream", reason: error.kind });
      this.logger.warn({ err: error, table: this.name }, "timestream batch not acknowledged");
      throw error;
    } finally {
      this.inFlight.delete(run);
    }
  }

  private activeDayPending(active: ActiveDay): Pending {
    return {
      record: activeDayRecord(active),
      item: `active day ${formatDay(active.day)} of user ${active.user}`,
      timeMs: active.day,
      constantMeasure: true,
    };
  }

  private async send(target: Target, common: _Record, pending: Pending[]): Promise<void> {
    await forEachBounded(chunk(pending, MAX_RECORDS_PER_WRITE), this.concurrency, (requests, signal) =>
      this.sendChunk(target, common, requests, signal),
    );
  }

  private async sendChunk(
    target: Target,
    common: _Record,
    pending: Pending[],
    signal: AbortSignal,
  ): Promise<void> {
    const command = new WriteRecordsCommand({
      DatabaseName: this.tables.database,
      TableName: target.table,
      CommonAttributes: common,
      Records: pending.map((p) => p.record),
    });
    let attempts = 0;
    try {
      await retry((s) => this.client.send(command, { abortSignal: s }), this.retry, signal, {
        random: this.random,
        onFailure: (err, failures, delay) => {
          attempts = failures;
          if (delay === undefined) return;
          this.metrics.retries.inc({ sink: "timestream" });
          this.logger.debug({ err, attempt: failures, delay, table: target.name }, "timestream write retry");
        },
      });
    } catch (err) {
      if (err instanceof RejectedRecordsException)
        return this.judgeRejections(target, pending, err.RejectedRecords ?? []);
      if (signal.aborted) throw new UnavailableError("write abandoned after another request failed");
      throw this.translate(target, err, attempts);
    }
  }

  /** Accepts the request only if every rejection is a harmless duplicate; otherwise fails by cause. */
  private judgeRejections(target: Target, pending: Pending[], rejected: RejectedRecord[]): void {
    if (rejected.length === 0) {
      throw new TimestreamRejectedError(target.name, [
        { item: "request", reason: "rejected without details" },
      ]);
    }
    const byCause = new Map<RejectionCause, RejectedItem[]>();
    const nowMs = this.now().getTime();
    for (const r of rejected) {
      const p = r.RecordIndex === undefined ? undefined : pending[r.RecordIndex];
      const reason = r.Reason ?? "no reason given";
      const cause =
        p === undefined
          ? "other"
          : classifyRejection({
              reason,
              existingVersion: r.ExistingVersion,
              constantMeasure: p.constantMeasure,
              version: RECORD_VERSION,
              timeMs: p.timeMs,
              nowMs,
            });
      this.metrics.rejectedRecords.inc({ sink: "timestream", cause });
      const list = byCause.get(cause) ?? [];
      list.push({
        item: p?.item ?? `record ${String(r.RecordIndex)}`,
        reason,
        ...(r.ExistingVersion === undefined ? {} : { existingVersion: r.ExistingVersion }),
      });
      byCause.set(cause, list);
    }
    const future = byCause.get("future");
    if (future) throw new TimestreamFutureTimeError(target.name, future);
    const retention = byCause.get("retention");
    if (retention) throw new TimestreamRetentionError(target.name, retention);
    const other = byCause.get("other");
    if (other) throw new TimestreamRejectedError(target.name, other);
    this.logger.debug(
      { duplicates: rejected.length, table: target.name },
      "timestream duplicates already stored",
    );
  }

  private translate(target: Target, err: unknown, attempts: number): DomainError {
    if (isDomainError(err)) return err;
    const table = target.name;
    const name = (err as { name?: unknown }).name;
    const detail = err instanceof Error ? err.message : String(err);
    switch (name) {
      case "ResourceNotFoundException":
        return new NotFoundError(
          target === this.rollup
            ? `Timestream daily activity table ${table} does not exist; create it beside ${this.events.name} ` +
                `(or name another with timestream:DATABASE/TABLE,ROLLUP_TABLE)`
            : `Timestream table ${table} does not exist`,
          { cause: err },
        );
      case "AccessDeniedException":
        return new FailedPreconditionError(
          `the tenants service may not write to Timestream table ${table} (AccessDeniedException: ${detail}); ` +
            `see the README's IAM policy for the Timestream sink`,
          { cause: err },
        );
      case "ValidationException":
        return new InvalidArgumentError(`Timestream refused the write to ${table}: ${detail}`, {
          cause: err,
        });
      case "ServiceQuotaExceededException":
        return new ResourceExhaustedError(`Timestream quota exceeded writing to ${table}`, {
          cause: err,
        });
    }
    if (isRetryable(err)) {
      return new UnavailableError(`Timestream write to ${table} still failing after ${attempts} attempts`, {
        cause: err,
      });
    }
    return new InternalError(`Timestream write to ${table} failed`, { cause: err });
  }
}
