import { describe, expect, it } from "vitest";
import {
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from "../../../src/errors/errors.js";
import { isRetryableTransaction, translatePgError } from "../../../src/store/postgres/pg-errors.js";
import { checkStorableText } from "../../../src/store/postgres/storable-text.js";
import { redactPassword } from "../../../src/store/sink-spec.js";

/** What the pg driver throws for a server error: an Error with the SQLSTATE in `code`. */
function serverError(code: string, message = "server said no"): Error {
  return Object.assign(new Error(message), { code });
}

describe("translatePgError", () => {
  it.each([
    ["3D000", NotFoundError],
    ["42P01", NotFoundError],
    ["28P01", UnauthenticatedError],
    ["28000", UnauthenticatedError],
    ["42501", PermissionDeniedError],
    ["53300", ResourceExhaustedError],
    ["08006", UnavailableError],
    ["40P01", UnavailableError],
    ["40001", UnavailableError],
    ["57P01", UnavailableError],
    ["57014", UnavailableError],
    ["55P03", UnavailableError],
    ["22021", InvalidArgumentError],
    ["23514", FailedPreconditionError],
    ["42601", InternalError],
    ["25006", InternalError],
  ])("maps SQLSTATE %s to %o", (code, type) => {
    const error = translatePgError(serverError(code), "the test");
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(/^the test: /);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("maps network failures to UnavailableError", () => {
    for (const err of [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      new Error("Connection terminated unexpectedly"),
      new Error("timeout exceeded when trying to connect"),
    ]) {
      expect(translatePgError(err, "x")).toBeInstanceOf(UnavailableError);
    }
  });

  it("keeps a DomainError and wraps anything else as internal", () => {
    const domain = new InvalidArgumentError("bad");
    expect(translatePgError(domain, "x")).toBe(domain);
    expect(translatePgError("odd", "x")).toBeInstanceOf(InternalError);
  });

  it("retries only deadlocks and serialization failures", () => {
    expect(isRetryableTransaction(serverError("40P01"))).toBe(true);
    expect(isRetryableTransaction(serverError("40001"))).toBe(true);
    expect(isRetryableTransaction(serverError("23505"))).toBe(false);
    expect(isRetryableTransaction(new Error("no code"))).toBe(false);
  });
});

describe("checkStorableText", () => {
  it.each(["", "acme", "emoji \u{1f600}", "quote ' and backslash \\"])("accepts %j", (text) => {
    expect(() => checkStorableText(text, "v")).not.toThrow();
  });

  it.each(["a\u0000b", "lone \ud800", "lone \udc00 low", "\udc00\ud800"])("refuses %j", (text) => {
    expect(() => checkStorableText(text, "v")).toThrow(InvalidArgumentError);
  });
});

describe("redactPassword", () => {
  it.each([
    ["postgres://u:secret@db:5432/x", "postgres://u:***@db:5432/x"],
    ["postgres://u@db/x?password=secret&sslmode=require", "postgres://u@db/x?password=***&sslmode=require"],
    ["postgres://db/x", "postgres://db/x"],
  ])("shows %s as %s", (url, shown) => {
    expect(redactPassword(url)).toBe(shown);
  });
});
