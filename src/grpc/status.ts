import { randomBytes } from "node:crypto";
import { status as Status, type Metadata, type ServiceError } from "@grpc/grpc-js";
import {
  DataLossError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
  isDomainError,
  type DomainError,
  type ErrorKind,
} from "../errors/errors.js";
import type { Logger } from "../observability/logger.js";
import { sendableDetails } from "./status-details.js";

/**
 * The one place where errors become gRPC statuses (servers) and statuses become errors (clients).
 * DESIGN.md "gRPC conventions" fixes the codes.
 */

const CODE_FOR_KIND: Readonly<Record<ErrorKind, Status>> = {
  "invalid-argument": Status.INVALID_ARGUMENT,
  unauthenticated: Status.UNAUTHENTICATED,
  "permission-denied": Status.PERMISSION_DENIED,
  "not-found": Status.NOT_FOUND,
  "resource-exhausted": Status.RESOURCE_EXHAUSTED,
  "failed-precondition": Status.FAILED_PRECONDITION,
  "data-loss": Status.DATA_LOSS,
  unavailable: Status.UNAVAILABLE,
  internal: Status.INTERNAL,
};

/** The gRPC status code for a domain error kind. */
export function statusCodeForKind(kind: ErrorKind): Status {
  return CODE_FOR_KIND[kind];
}

/** A status a handler can send: `endStream(call, s)` or a unary `callback(s)`. */
export interface ErrorStatus {
  code: Status;
  details: string;
  metadata?: Metadata;
}

/**
 * Maps what a handler caught to the status sent to the client. Domain errors keep their (client-safe)
 * message, made sendable (`sendableDetails`). Internal errors and anything foreign become INTERNAL with a generic message and a reference;
 * the details, stack included, go only to the log under the same reference.
 */
export function toStatus(err: unknown, logger: Logger): ErrorStatus {
  if (isDomainError(err) && err.kind === "failed-precondition") {
    // The server's own setup (AWS permissions, a disabled stream, a sink's schema): its operator must act.
    logger.error({ code: Status[CODE_FOR_KIND[err.kind]], message: err.message }, "call failed");
    return { code: CODE_FOR_KIND[err.kind], details: err.message };
  }
  if (isDomainError(err) && err.kind !== "internal") {
    logger.debug({ code: Status[CODE_FOR_KIND[err.kind]], message: err.message }, "call failed");
    return { code: CODE_FOR_KIND[err.kind], details: sendableDetails(err.message) };
  }
  const ref = randomBytes(6).toString("hex");
  logger.error({ err, ref }, "internal error in a gRPC handler");
  return { code: Status.INTERNAL, details: `internal error (ref ${ref})` };
}

/**
 * Maps a status a client received to a domain error, keeping the server's message and the ServiceError
 * as `cause`. Codes with no domain kind of their own: OUT_OF_RANGE is an invalid argument; CANCELLED,
 * DEADLINE_EXCEEDED and ABORTED are unavailable (worth retrying); ALREADY_EXISTS is a failed precondition;
 * OK, UNKNOWN, UNIMPLEMENTED and anything else are internal.
 */
export function fromServiceError(err: ServiceError): DomainError {
  const message = err.details || Status[err.code] || `gRPC status ${err.code}`;
  const options = { cause: err };
  switch (err.code) {
    case Status.INVALID_ARGUMENT:
    case Status.OUT_OF_RANGE:
      return new InvalidArgumentError(message, options);
    case Status.UNAUTHENTICATED:
      return new UnauthenticatedError(message, options);
    case Status.PERMISSION_DENIED:
      return new PermissionDeniedError(message, options);
    case Status.NOT_FOUND:
      return new NotFoundError(message, options);
    case Status.RESOURCE_EXHAUSTED:
      return new ResourceExhaustedError(message, options);
    case Status.FAILED_PRECONDITION:
    case Status.ALREADY_EXISTS:
      return new FailedPreconditionError(message, options);
    case Status.DATA_LOSS:
      return new DataLossError(message, options);
    case Status.UNAVAILABLE:
    case Status.CANCELLED:
    case Status.DEADLINE_EXCEEDED:
    case Status.ABORTED:
      return new UnavailableError(message, options);
    default:
      return new InternalError(`${Status[err.code] ?? err.code}: ${message}`, options);
  }
}

/** Whether something a gRPC client threw is a ServiceError (it carries a numeric status code). */
export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number" && "details" in err;
}
