import { Metadata } from "@grpc/grpc-js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  PermissionDeniedError,
  UnauthenticatedError,
} from "../../src/errors/errors.js";
import { BearerTokens, bearerMetadata, bearerToken, singleBearerToken } from "../../src/grpc/bearer-auth.js";

function withAuthorization(...values: string[]): Metadata {
  const metadata = new Metadata();
  for (const value of values) metadata.add("authorization", value);
  return metadata;
}

describe("bearer tokens", () => {
  const tokens = new BearerTokens([
    ["token-of-acme", "acme"],
    ["token-of-globex", "globex"],
  ]);

  it("returns the identity of the presented token", () => {
    expect(tokens.authenticate(bearerMetadata("token-of-acme"))).toBe("acme");
    expect(tokens.authenticate(bearerMetadata("token-of-globex"))).toBe("globex");
    expect(tokens.authenticate(withAuthorization("bearer   token-of-acme"))).toBe("acme");
  });

  it.each([
    ["no authorization", withAuthorization(), "missing credentials"],
    ["another scheme", withAuthorization("Basic dXNlcjpwdw=="), 'must be "Bearer <token>"'],
    ["a bare token", withAuthorization("token-of-acme"), 'must be "Bearer <token>"'],
    ["an empty bearer", withAuthorization("Bearer "), 'must be "Bearer <token>"'],
    ["two headers", withAuthorization("Bearer token-of-acme", "Bearer token-of-globex"), "more than one"],
  ])("refuses %s as UNAUTHENTICATED", (_name, metadata, message) => {
    expect(() => tokens.authenticate(metadata)).toThrow(UnauthenticatedError);
    expect(() => tokens.authenticate(metadata)).toThrow(message);
  });

  it("refuses an unknown token as PERMISSION_DENIED", () => {
    expect(() => tokens.authenticate(bearerMetadata("token-of-acmf"))).toThrow(PermissionDeniedError);
    expect(() => tokens.authenticate(bearerMetadata("token-of-acme-and-more"))).toThrow(
      PermissionDeniedError,
    );
  });

  it("accepts exactly the configured token", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\S{1,64}$/),
        fc.stringMatching(/^\S{1,64}$/),
        (configured, presented) => {
          const check = () => singleBearerToken(configured).authenticate(bearerMetadata(presented));
          if (configured === presented) expect(check()).toBe(true);
          else expect(check).toThrow(PermissionDeniedError);
        },
      ),
    );
  });

  it("refuses to configure a token that could never be sent", () => {
    expect(() => singleBearerToken("")).toThrow(InvalidArgumentError);
    expect(() => singleBearerToken("two words")).toThrow(InvalidArgumentError);
  });

  it("reads the token from the metadata a client sends", () => {
    expect(bearerToken(bearerMetadata("abc.def-ghi"))).toBe("abc.def-ghi");
  });
});
