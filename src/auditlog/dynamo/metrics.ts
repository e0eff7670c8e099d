import type { Counter, Gauge } from "prom-client";
import { counter, gauge, startAtZero, type Registry } from "../../observability/metrics.js";

export interface DynamoMetrics {
  getRecordsCalls: Counter<"table">;
  records: Counter<"table" | "outcome">;
  throttles: Counter<"table" | "operation">;
  iteratorRenewals: Counter<"table">;
  dataLossGaps: Counter<"table">;
  shardsActive: Gauge<"table">;
  streamsActive: Gauge<"table">;
  sharedPages: Counter<"table">;
  shardReaders: Gauge<"table" | "kind">;
  windowRecords: Gauge<"table">;
}

export function dynamoMetrics(registry: Registry): DynamoMetrics {
  return {
    getRecordsCalls: counter(registry, {
      name: "tenant_events_dynamo_get_records_total",
      help: "DynamoDB Streams GetRecords calls.",
      labelNames: ["table"],
    }),
    records: counter(registry, {
      name: "tenant_events_dynamo_records_total",
      help: "Stream records read, by outcome: event (delivered), skipped (not an audit event), invalid.",
      labelNames: ["table", "outcome"],
    }),
    throttles: counter(registry, {
      name: "tenant_events_dynamo_throttles_total",
      help: "DynamoDB (Streams) requests throttled and retried with backoff.",
      labelNames: ["table", "operation"],
    }),
    iteratorRenewals: counter(registry, {
      name: "tenant_events_dynamo_iterator_renewals_total",
      help: "Expired shard iterators renewed from the last sequence number.",
      labelNames: ["table"],
    }),
    dataLossGaps: counter(registry, {
      name: "tenant_events_dynamo_data_loss_gaps_total",
      help: 'Trimmed positions skipped (onTrim "skip"): each is a gap of lost events.',
      labelNames: ["table"],
    }),
    shardsActive: gauge(registry, {
      name: "tenant_events_dynamo_shards_active",
      help: "Shards being read (readable now) across the open streams.",
      labelNames: ["table"],
    }),
    streamsActive: gauge(registry, {
      name: "tenant_events_dynamo_streams_active",
      help: "Open event streams on the DynamoDB audit log.",
      labelNames: ["table"],
    }),
    sharedPages: counter(registry, {
      name: "tenant_events_dynamo_shared_pages_total",
      help: "Pages a stream took from a shared shard reader's window instead of calling GetRecords itself.",
      labelNames: ["table"],
    }),
    shardReaders: gauge(registry, {
      name: "tenant_events_dynamo_shard_readers",
      help:
        "GetRecords loops on the table's shards, by kind: shared (at most one a shard) or independent " +
        "(a stream outside what the shared reader holds).",
      labelNames: ["table", "kind"],
    }),
    windowRecords: gauge(registry, {
      name: "tenant_events_dynamo_shared_window_records",
      help: "Stream records held in the shared shard readers' windows (bounded by shards x window pages x page size).",
      labelNames: ["table"],
    }),
  };
}

/** Creates a table's counters at 0, so rates and the data-loss alert work before the first increment. */
export function initializeDynamoMetrics(metrics: DynamoMetrics, table: string): void {
  startAtZero(metrics.getRecordsCalls, [{ table }]);
  startAtZero(
    metrics.records,
    ["event", "skipped", "invalid"].map((outcome) => ({ table, outcome })),
  );
  startAtZero(metrics.iteratorRenewals, [{ table }]);
  startAtZero(metrics.dataLossGaps, [{ table }]);
  startAtZero(metrics.sharedPages, [{ table }]);
}
