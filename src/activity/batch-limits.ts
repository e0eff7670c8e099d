/**
 * The largest request (encoded bytes) the tenants service accepts by default, gRPC's default receive
 * limit: the service's `maxBatchBytes` and the bound past which the reporter skips an event that would
 * not fit even alone.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
