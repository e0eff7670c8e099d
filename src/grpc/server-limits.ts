/**
 * The connection limits every gRPC server of the product applies unless told otherwise. A module of its
 * own so the CLI can show them in --help without loading grpc-js.
 */

/** Open connections at most; more are closed at once. */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** Time a new connection has to complete its TLS and HTTP/2 handshake and start its first call, ms. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
