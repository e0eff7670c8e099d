/**
 * `tenant-events`: the library behind the CLI. The events client and the reporter (also at
 * `tenant-events/client` and `tenant-events/reporter`), the two servers, and the messages as
 * namespaces (also at `tenant-events/messages`).
 */
export * from "./client/index.js";
export * from "./reporter/index.js";
export { startEventsServer, type EventsServer, type EventsServerOptions } from "./server/events-server.js";
export {
  startTenantsServer,
  type TenantsServer,
  type TenantsServerOptions,
} from "./tenants/tenants-server.js";
export { openAuditLog, type AuditLogSpec, type OpenAuditLogOptions } from "./auditlog/open-audit-log.js";
export type { AuditLog } from "./auditlog/audit-log.js";
export { openSink } from "./store/open-store.js";
export type { Sink } from "./store/sink.js";
export * as messages from "./messages.js";
