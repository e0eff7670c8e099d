import type { AuditLog, StartPosition } from "../audit-log.js";
import { NEVER_ABORTED, type StreamEventsOptions } from "../../cursor/stream-events-options.js";
import type { Cursor } from "../../cursor/cursor.js";
import { InvalidArgumentError, ResourceExhaustedError, UnavailableError } from "../../errors/errors.js";
import type { StreamEvent } from "../../gen/auth/auth.js";
import { silentLogger, type Logger } from "../../observability/logger.js";
import { newRegistry, type Registry } from "../../observability/metrics.js";
import { resolveBackoff, type BackoffOptions } from "../../time/backoff.js";
import { systemClock, type Clock } from "../../time/clock.js";
import { dynamoMetrics, initializeDynamoMetrics } from "./metrics.js";
import { DEFAULT_DYNAMO_POLL_MS, DEFAULT_MAX_CONCURRENT_SHARD_READS } from "../audit-log-defaults.js";
import { ReaderPool } from "./reader-pool.js";
import {
  requireNewImageStream,
  streamTable,
  type SessionConfig,
  type SessionOptions,
} from "./stream-session.js";
import type { StreamsClient } from "./streams-client.js";
import { TableListing } from "./table-listing.js";
import { DYNAMO_THROTTLE_BACKOFF, throttledCall } from "./throttled-call.js";

export interface DynamoAuditLogOptions {
  /** Teleport's events table (its stream must be enabled with NEW_IMAGE). */
  table: string;
  /** DynamoDB and DynamoDB Streams (AwsStreamsClient in production). The log owns it: close() closes it. */
  client: StreamsClient;
  /**
   * Where a stream with an empty cursor starts on the shards open then (closed ones are skipped with
   * "latest"). Default "trim_horizon". A non-empty cursor ignores it: shards the cursor does not name are
   * read from TRIM_HORIZON, so a stream resumed before it delivered anything from a shard opened at LATEST
   * reads that shard from its oldest record (nothing is lost, earlier records may appear).
   */
  startPosition?: StartPosition;
  /**
   * A trimmed cursor position: "fail" ends the stream with DataLossError; "skip" logs the gap, counts it
   * (tenant_events_dynamo_data_loss_gaps_total) and continues from TRIM_HORIZON. Default "fail".
   */
  onTrim?: "fail" | "skip";
  /**
   * Concurrent streams on this log; more are refused with ResourceExhaustedError. Streams at the same
   * position in a shard share one reader, so this bounds memory and work, not reads on DynamoDB (see
   * maxReadersPerShard). Default 32.
   */
  maxStreams?: number;
  /**
   * GetRecords loops on one shard at most, across the streams of this log: the shard's shared reader plus
   * streams whose position it does not hold (they read on their own). A stream that would exceed it is
   * refused with ResourceExhaustedError and resumes later with its last cursor. AWS advises at most two
   * readers per shard. Default 2.
   */
  maxReadersPerShard?: number;
  /**
   * Pages each shard's shared reader keeps for streams slightly behind it (each at most `pageSize`
   * records, 1 MB). A stream that falls further behind reads on its own. Default 4.
   */
  sharedWindowPages?: number;
  /** Pause before polling again an open shard that returned no records. Default DEFAULT_DYNAMO_POLL_MS. */
  pollIntervalMs?: number;
  /** The shard list is refreshed this often, and whenever a shard closes. Default 60 000 ms. */
  refreshIntervalMs?: number;
  /** GetRecords Limit (the service's maximum is 1000). Default 1000. */
  pageSize?: number;
  /**
   * Reads (GetRecords, with GetShardIterator where a shard starts) one stream keeps in flight across its
   * shards, as the Kinesis Client Library reads every shard at once: a sweep of N shards then costs about
   * N / this many round trips instead of N. Each shard still has one read at a time, and its page is
   * delivered before the next is asked for, so a stream holds at most this many pages (each at most
   * `pageSize` records, 1 MB) while its client does not read. Default DEFAULT_MAX_CONCURRENT_SHARD_READS.
   */
  maxConcurrentShardReads?: number;
  /**
   * Pauses before a throttled call (or one that failed for the service or the network) is tried again.
   * Default DYNAMO_THROTTLE_BACKOFF: full jitter from 100 ms, doubling to 10 s.
   */
  backoff?: BackoffOptions;
  /**
   * Until-caught-up streams treat records created more than this after the stream started as "after the
   * start" (the margin covers clock skew with AWS). Default 5000 ms.
   */
  clockSkewMs?: number;
  /** Default the system clock. */
  clock?: Clock;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
  /** Default silent. */
  logger?: Logger;
  /** Where the tenant_events_dynamo_* metrics go. Default a private registry. */
  registry?: Registry;
}

export { DEFAULT_DYNAMO_POLL_MS, DEFAULT_MAX_CONCURRENT_SHARD_READS };

/**
 * Teleport's DynamoDB events table as an AuditLog, read through DynamoDB Streams: the shard tree is read
 * parent before child, children from TRIM_HORIZON, closing shards to their last record, with the cursor
 * format shared by every audit log (see cursor-positions.ts for what its entries mean). Streams on one log
 * share shard readers where their positions allow (see reader-pool.ts).
 */
export class DynamoAuditLog implements AuditLog {
  private readonly config: SessionConfig;
  private readonly pool: ReaderPool;
  private readonly maxStreams: number;
  private readonly closing = new AbortController();
  private active = 0;

  constructor(options: DynamoAuditLogOptions) {
    const registry = options.registry ?? newRegistry();
    this.maxStreams = options.maxStreams ?? 32;
    const maxConcurrentReads = options.maxConcurrentShardReads ?? DEFAULT_MAX_CONCURRENT_SHARD_READS;
    if (!Number.isSafeInteger(maxConcurrentReads) || maxConcurrentReads < 1) {
      throw new InvalidArgumentError(
        `maxConcurrentShardReads must be a positive whole number, got ${maxConcurrentReads}`,
      );
    }
    const base = {
      table: options.table,
      client: options.client,
      startPosition: options.startPosition ?? "trim_horizon",
      onTrim: options.onTrim ?? "fail",
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_DYNAMO_POLL_MS,
      refreshIntervalMs: options.refreshIntervalMs ?? 60_000,
      pageSize: options.pageSize ?? 1000,
      maxConcurrentReads,
      backoff: resolveBackoff(options.backoff, DYNAMO_THROTTLE_BACKOFF, "backoff"),
      clockSkewMs: options.clockSkewMs ?? 5000,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      logger: options.logger ?? silentLogger,
      metrics: dynamoMetrics(registry),
    };
    // Shared listings outlive the stream that asked first: their calls stop only when the log closes.
    const listing = new TableListing({
      table: base.table,
      client: base.client,
      clock: base.clock,
      call: (operation, request) => throttledCall(base, this.closing.signal, operation, request),
    });
    this.config = { ...base, listing };
    this.pool = new ReaderPool({
      table: options.table,
      windowPages: options.sharedWindowPages ?? 4,
      maxReadersPerShard: options.maxReadersPerShard ?? 2,
      metrics: this.config.metrics,
    });
    initializeDynamoMetrics(this.config.metrics, options.table);
  }

  streamEvents(cursor: Cursor, options: StreamEventsOptions = {}): AsyncIterable<StreamEvent> {
    return this.stream(cursor, options.signal ?? NEVER_ABORTED, {
      untilCaughtUp: options.untilCaughtUp ?? false,
      cursors: options.cursors ?? "every-event",
    });
  }

  /** DescribeTable and one DescribeStream page: the table, its NEW_IMAGE stream and the permissions. */
  async verify(): Promise<void> {
    const tableStream = await this.config.client.describeTableStream(this.config.table);
    await this.config.client.describeStream(requireNewImageStream(tableStream));
  }

  /** Ends open streams (they fail with UnavailableError so clients resume) and closes the client. */
  close(): Promise<void> {
    if (!this.closing.signal.aborted) {
      this.closing.abort();
      this.config.client.close();
    }
    return Promise.resolve();
  }

  private async *stream(
    cursor: Cursor,
    signal: AbortSignal,
    options: SessionOptions,
  ): AsyncGenerator<StreamEvent> {
    const { table, metrics } = this.config;
    if (this.closing.signal.aborted) throw new UnavailableError("the audit log is closed");
    if (this.active >= this.maxStreams) {
      throw new ResourceExhaustedError(
        `too many concurrent streams on table ${table} (at most ${this.maxStreams}); retry later`,
      );
    }
    this.active++;
    metrics.streamsActive.inc({ table });
    try {
      yield* streamTable(
        this.config,
        this.pool,
        cursor,
        AbortSignal.any([signal, this.closing.signal]),
        options,
      );
      if (this.closing.signal.aborted && !signal.aborted) {
        throw new UnavailableError("the audit log is shutting down; resume with the last cursor received");
      }
    } finally {
      this.active--;
      metrics.streamsActive.dec({ table });
    }
  }
}
