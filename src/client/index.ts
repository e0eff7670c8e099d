/**
 * `tenant-events/client` (and the `tenant-events-client` package): a resumable client of an events
 * server's `StreamEvents`, with the cursor codec and the errors it throws. Nothing here loads a sink
 * or an AWS SDK.
 */
export { createEventsClient, EventsClient, type EventsClientOptions } from "./events-client.js";
export { DEFAULT_RECONNECT, type ReconnectOptions } from "./backoff.js";
export type { CursorMode } from "../cursor/cursor-mode.js";
export type { StreamEventsOptions } from "../cursor/stream-events-options.js";
export { decodeCursor, encodeCursor, EMPTY_CURSOR, type Cursor } from "../cursor/cursor.js";
export {
  DataLossError,
  DomainError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  isDomainError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
  type ErrorKind,
} from "../errors/errors.js";
export type { ClientTlsOptions } from "../grpc/tls.js";
export type { StreamEvent } from "../gen/auth/auth.js";
export type { Logger } from "../observability/logger.js";
