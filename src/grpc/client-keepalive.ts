import type { ChannelOptions } from "@grpc/grpc-js";

/**
 * Keepalive of every client channel of ours: while a call is open, a ping a minute tells a dead server,
 * host or dropped NAT entry from a quiet one within about 80 s, instead of a call that waits until its
 * deadline (a unary submission) or forever (a following stream).
 */
export const CLIENT_KEEPALIVE: Readonly<ChannelOptions> = Object.freeze({
  "grpc.keepalive_time_ms": 60_000,
  "grpc.keepalive_timeout_ms": 20_000,
});
