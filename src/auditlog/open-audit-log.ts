import type { AuditLog, StartPosition } from "./audit-log.js";
import type { Logger } from "../observability/logger.js";
import type { Registry } from "../observability/metrics.js";

/** Which audit log to open: Teleport's file log (the embedded default) or its DynamoDB events table. */
export type AuditLogSpec = { kind: "file"; dir: string } | { kind: "dynamodb"; table: string };

export interface OpenAuditLogOptions {
  start?: StartPosition;
  pollIntervalMs?: number;
  /** DynamoDB: endpoint URL (DynamoDB Local) and region; default: the AWS configuration chain. */
  endpoint?: string;
  region?: string;
  /**
   * A cursor position that was trimmed (DynamoDB's 24 h retention; a file log's day file removed by
   * retention) fails the stream with DATA_LOSS (default) or is skipped, logged and counted.
   */
  onTrim?: "fail" | "skip";
  /** DynamoDB: concurrent streams before RESOURCE_EXHAUSTED (AWS advises at most two readers a shard). */
  maxStreams?: number;
  /** DynamoDB: reads in flight per stream across its shards (see DynamoAuditLogOptions). */
  maxConcurrentShardReads?: number;
  logger?: Logger;
  registry?: Registry;
}

/** Opens the audit log a spec names; each implementation is loaded only when used. */
export async function openAuditLog(spec: AuditLogSpec, options: OpenAuditLogOptions = {}): Promise<AuditLog> {
  switch (spec.kind) {
    case "file": {
      const { FileAuditLog } = await import("./file/file-audit-log.js");
      return new FileAuditLog(spec.dir, {
        start: options.start,
        onTrim: options.onTrim,
        pollIntervalMs: options.pollIntervalMs,
        logger: options.logger,
        registry: options.registry,
      });
    }
    case "dynamodb": {
      const { createDynamoAuditLog } = await import("./dynamo/index.js");
      return createDynamoAuditLog({
        table: spec.table,
        endpoint: options.endpoint,
        region: options.region,
        startPosition: options.start,
        onTrim: options.onTrim,
        pollIntervalMs: options.pollIntervalMs,
        maxStreams: options.maxStreams,
        maxConcurrentShardReads: options.maxConcurrentShardReads,
        logger: options.logger,
        registry: options.registry,
      });
    }
  }
}
