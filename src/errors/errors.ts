/**
 * Domain errors. Adapters translate what they catch (AWS, file system, sinks) into these; the gRPC layer
 * maps them to status codes in one place (src/grpc/status.ts). Messages are safe to show to clients.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export const ERROR_KINDS = [
  "invalid-argument",
  "unauthenticated",
  "permission-denied",
  "not-found",
  "resource-exhausted",
  "failed-precondition",
  "data-loss",
  "unavailable",
  "internal",
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Bad request: malformed cursor, invalid event, bad flag value. */
export class InvalidArgumentError extends DomainError {
  readonly kind = "invalid-argument";
}

/** No credentials. */
export class UnauthenticatedError extends DomainError {
  readonly kind = "unauthenticated";
}

/** Credentials present but not allowed (unknown token, wrong tenant or scope). */
export class PermissionDeniedError extends DomainError {
  readonly kind = "permission-denied";
}

/** Something named does not exist (a table, a file). */
export class NotFoundError extends DomainError {
  readonly kind = "not-found";
}

/** Too many streams, too large a batch, rate limit. */
export class ResourceExhaustedError extends DomainError {
  readonly kind = "resource-exhausted";
}

/** The system is not in a state that allows the operation (e.g. DynamoDB Streams disabled). */
export class FailedPreconditionError extends DomainError {
  readonly kind = "failed-precondition";
}

/** The requested position no longer exists (trimmed): events between it and what remains are lost. */
export class DataLossError extends DomainError {
  readonly kind = "data-loss";
}

/** Temporarily unable to serve (shutting down, dependency down): retry and resume. */
export class UnavailableError extends DomainError {
  readonly kind = "unavailable";
}

/** A bug or an unexpected dependency failure; details stay in the logs. */
export class InternalError extends DomainError {
  readonly kind = "internal";
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
