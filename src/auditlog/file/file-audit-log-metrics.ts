import type { Counter } from "prom-client";
import { counter, type Registry } from "../../observability/metrics.js";

/** The file audit log's metrics, declared on the registry it is given. */
export interface FileAuditLogMetrics {
  /** Lines skipped because they are not events (unparseable, not UTF-8, or over the length bound). */
  readonly malformedLines: Counter;
  /** Cursors or listings that named a day file which no longer exists (removed by retention). */
  readonly missingFiles: Counter;
  /** Day files that changed under a reader, by `change`: replaced (rotated or rewritten) or truncated. */
  readonly fileChanges: Counter<"change">;
  /** Bytes read from day files. */
  readonly bytesRead: Counter;
}

export function fileAuditLogMetrics(registry: Registry): FileAuditLogMetrics {
  return {
    malformedLines: counter(registry, {
      name: "tenant_events_auditlog_malformed_lines_total",
      help: "Audit log lines skipped because they are not events (unparseable or too long).",
    }),
    missingFiles: counter(registry, {
      name: "tenant_events_auditlog_file_missing_total",
      help: "Times a stream skipped a day file that no longer exists (removed by retention); events may be lost.",
    }),
    fileChanges: counter(registry, {
      name: "tenant_events_auditlog_file_changes_total",
      help: "Day files that changed under a reader, by change: replaced (rotated or rewritten; read again from its start) or truncated (copytruncate; read again from its start).",
      labelNames: ["change"],
    }),
    bytesRead: counter(registry, {
      name: "tenant_events_auditlog_file_bytes_read_total",
      help: "Bytes read from the file audit log's day files.",
    }),
  };
}
