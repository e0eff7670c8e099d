import { Metadata, status as Status, type ServiceError } from "@grpc/grpc-js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
  type DomainError,
} from "../../src/errors/errors.js";
import { fromServiceError, isServiceError, statusCodeForKind, toStatus } from "../../src/grpc/status.js";
import { silentLogger } from "../../src/observability/logger.js";
import { captureLogs } from "../support/log-capture.js";

const DOMAIN: [new (message: string) => DomainError, Status][] = [
  [InvalidArgumentError, Status.INVALID_ARGUMENT],
  [UnauthenticatedError, Status.UNAUTHENTICATED],
  [PermissionDeniedError, Status.PERMISSION_DENIED],
  [NotFoundError, Status.NOT_FOUND],
  [ResourceExhaustedError, Status.RESOURCE_EXHAUSTED],
  [FailedPreconditionError, Status.FAILED_PRECONDITION],
  [DataLossError, Status.DATA_LOSS],
  [UnavailableError, Status.UNAVAILABLE],
];

function serviceError(code: Status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${Status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

describe("toStatus", () => {
  it.each(DOMAIN)("sends %o as its status with its message", (ErrorClass, code) => {
    const err = new ErrorClass("what went wrong");
    expect(toStatus(err, silentLogger)).toEqual({ code, details: "what went wrong" });
    expect(statusCodeForKind(err.kind)).toBe(code);
  });

  it.each([
    ["a foreign error", new Error("ECONNREFUSED 10.1.2.3:5432 user=admin")],
    ["an InternalError", new InternalError("shard graph invariant broken at node 17")],
    ["a thrown string", "boom"],
  ])(
    "sends %s as INTERNAL with a generic message and logs the details under the same reference",
    (_name, err) => {
      const { logger, records: lines } = captureLogs();

      const status = toStatus(err, logger);

      expect(status.code).toBe(Status.INTERNAL);
      const ref = /^internal error \(ref ([0-9a-f]{12})\)$/.exec(status.details)?.[1];
      expect(ref).toBeDefined();
      expect(lines).toHaveLength(1);
      expect(lines[0]?.["ref"]).toBe(ref);
      expect(JSON.stringify(lines[0])).toContain(err instanceof Error ? err.message : err);
    },
  );

  it("never lets a foreign message or stack reach the client", () => {
    fc.assert(
      fc.property(fc.string(), (secret) => {
        const status = toStatus(new TypeError(`password=${secret}`), silentLogger);
        expect(status.details).not.toContain("password=");
        expect(status.details).not.toContain("TypeError");
        expect(status.details).not.toContain("at ");
      }),
    );
  });
});

describe("fromServiceError", () => {
  it.each(DOMAIN)("turns the status of %o back into it", (ErrorClass, code) => {
    const err = fromServiceError(serviceError(code, "server says no"));
    expect(err).toBeInstanceOf(ErrorClass);
    expect(err.message).toBe("server says no");
    expect((err.cause as ServiceError).code).toBe(code);
  });

  it.each([
    [Status.OUT_OF_RANGE, InvalidArgumentError],
    [Status.ALREADY_EXISTS, FailedPreconditionError],
    [Status.CANCELLED, UnavailableError],
    [Status.DEADLINE_EXCEEDED, UnavailableError],
    [Status.ABORTED, UnavailableError],
    [Status.UNIMPLEMENTED, InternalError],
    [Status.UNKNOWN, InternalError],
    [Status.INTERNAL, InternalError],
  ])("maps code %i, which has no kind of its own, to %o", (code, ErrorClass) => {
    expect(fromServiceError(serviceError(code, "details"))).toBeInstanceOf(ErrorClass);
  });

  it("names the status when it becomes an internal error", () => {
    expect(fromServiceError(serviceError(Status.UNIMPLEMENTED, "no such method")).message).toBe(
      "UNIMPLEMENTED: no such method",
    );
  });

  it("round-trips every domain error kind and message through a status", () => {
    fc.assert(
      fc.property(fc.constantFrom(...DOMAIN), fc.string({ minLength: 1 }), ([ErrorClass], message) => {
        const status = toStatus(new ErrorClass(message), silentLogger);
        const back = fromServiceError(serviceError(status.code, status.details));
        expect(back).toBeInstanceOf(ErrorClass);
        expect(back.message).toBe(message);
      }),
    );
  });

  it("recognises service errors", () => {
    expect(isServiceError(serviceError(Status.UNAVAILABLE, "x"))).toBe(true);
    expect(isServiceError(new Error("x"))).toBe(false);
    expect(isServiceError({ code: 14, details: "x" })).toBe(false);
  });
});
