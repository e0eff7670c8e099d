/** Teleport's file audit log: the embedded default `AuditLog`, and ingest into its layout. */
export { FileAuditLog } from "./file-audit-log.js";
export {
  DEFAULT_CHUNK_BYTES,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_POLL_INTERVAL_MS,
  type FileAuditLogOptions,
} from "./file-audit-log-options.js";
export {
  appendEvents,
  type AppendEventsOptions,
  type AppendEventsResult,
  type InvalidLine,
} from "./append-events.js";
export { isDayFileName, utcDayOf } from "./day-file.js";
