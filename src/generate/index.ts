export { generateEvents, buildTenant, type Tenant } from "./generate-events.js";
export {
  type GenerateOptions,
  type ResolvedOptions,
  resolveOptions,
  DEFAULT_CLUSTERS,
  DEFAULT_MONTHS,
  DEFAULT_SEED,
  DEFAULT_USERS,
  LIMITS,
} from "./generate-options.js";
export { writeLines, type WriteLinesOptions } from "./write-lines.js";
