import {
  FailedPreconditionError,
  InternalError,
  ResourceExhaustedError,
  isDomainError,
  type DomainError,
} from "../../errors/errors.js";

/** The Node error code of a file-system error, if it has one. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") {
    return err.code;
  }
  return undefined;
}

/** Translates a file-system error into a domain error; `what` says what was being done. */
export function translateFsError(err: unknown, what: string): DomainError {
  if (isDomainError(err)) return err;
  const code = errorCode(err);
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return new FailedPreconditionError(`${what}: no such file or directory`, { cause: err });
    case "EACCES":
    case "EPERM":
      return new FailedPreconditionError(`${what}: permission denied`, { cause: err });
    case "ENOSPC":
    case "EDQUOT":
      return new ResourceExhaustedError(`${what}: no space left on device`, { cause: err });
    case "EMFILE":
    case "ENFILE":
      return new ResourceExhaustedError(`${what}: too many open files`, { cause: err });
    default:
      return new InternalError(`${what}: ${code ?? "unexpected error"}`, { cause: err });
  }
}
