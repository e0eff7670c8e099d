import {
  type DomainError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  isDomainError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from "../../errors/errors.js";

/** The SQLSTATE of a PostgreSQL server error, if `err` is one. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Serialization failures and deadlocks: the transaction was rolled back and may simply be run again. */
export function isRetryableTransaction(err: unknown): boolean {
  const state = sqlState(err);
  return state === "40001" || state === "40P01";
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/**
 * A driver or server error as the DomainError that fits, by SQLSTATE class (see PostgreSQL's
 * "Appendix A. Error Codes"). `what` says what failed, for the message; server messages are kept as the
 * cause only, since they may quote stored values.
 */
export function translatePgError(err: unknown, what: string): DomainError {
  if (isDomainError(err)) return err;
  const state = sqlState(err);
  const cause = { cause: err };
  if (state !== undefined) {
    const klass = state.slice(0, 2);
    if (state === "3D000") return new NotFoundError(`${what}: the database does not exist`, cause);
    if (state === "42P01") return new NotFoundError(`${what}: a table is missing`, cause);
    if (klass === "28") return new UnauthenticatedError(`${what}: PostgreSQL refused the credentials`, cause);
    if (state === "42501") return new PermissionDeniedError(`${what}: insufficient privilege`, cause);
    if (klass === "53") return new ResourceExhaustedError(`${what}: the server is out of resources`, cause);
    // 55P03: a lock timeout (lock_timeout), e.g. a partition waiting behind a long query.
    if (klass === "08" || klass === "40" || klass === "57" || klass === "58" || state === "55P03") {
      return new UnavailableError(`${what}: PostgreSQL is unavailable (${state})`, cause);
    }
    if (klass === "22") return new InvalidArgumentError(`${what}: a value was refused (${state})`, cause);
    if (klass === "23")
      return new FailedPreconditionError(`${what}: a constraint was violated (${state})`, cause);
    return new InternalError(`${what}: PostgreSQL error ${state}`, cause);
  }
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (
    (typeof code === "string" && NETWORK_CODES.has(code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    )
  ) {
    return new UnavailableError(`${what}: cannot reach PostgreSQL`, cause);
  }
  return new InternalError(`${what}: ${message}`, cause);
}
