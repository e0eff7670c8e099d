/** The central side's TenantsService: what the CLI's `tenants` command and the demo use. */
export { certificateNames } from "./certificate-names.js";
export {
  canExpireEvents,
  EVENT_RETENTION_DEFAULTS,
  runEventRetention,
  type EventRetentionOptions,
  type ExpiringSink,
} from "./event-retention.js";
export { loadTenantTokens } from "./load-tenant-tokens.js";
export type { RateLimit } from "./rate-limiter.js";
export { TENANT_ID_PATTERN, isTenantId } from "../activity/tenant-id.js";
export { hashToken, TenantTokens, type TenantCredentialEntry } from "./tenant-tokens.js";
export { TENANTS_DEFAULTS, type TenantsServiceOptions } from "./tenants-options.js";
export {
  DEFAULT_TENANTS_LISTEN,
  startTenantsServer,
  type TenantsServer,
  type TenantsServerOptions,
} from "./tenants-server.js";
export { createTenantsService, type TenantsServiceRegistration } from "./tenants-service.js";
