/**
 * `tenant-events/messages`: the generated protobuf messages and gRPC service definitions, one namespace
 * per proto package (`auth`, `events` — Teleport's event messages — and `tenants`).
 */
export * as auth from "./gen/auth/auth.js";
export * as events from "./gen/events/events.js";
export * as tenants from "./gen/tenants/tenants.js";
