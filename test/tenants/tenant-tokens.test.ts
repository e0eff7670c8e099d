import { createHash } from "node:crypto";
import { Metadata } from "@grpc/grpc-js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  PermissionDeniedError,
  UnauthenticatedError,
} from "../../src/errors/errors.js";
import { bearerMetadata } from "../../src/grpc/bearer-auth.js";
import { hashToken, TenantTokens } from "../../src/tenants/tenant-tokens.js";

const ACME_TOKEN = "acme-token-1";
const GLOBEX_TOKEN = "globex-token-1";

function tokens(): TenantTokens {
  return new TenantTokens([
    { id: "acme", tokenSha256: hashToken(ACME_TOKEN) },
    { id: "acme", tokenSha256: hashToken("acme-token-2").toUpperCase() },
    { id: "globex", tokenSha256: hashToken(GLOBEX_TOKEN), clientCertNames: ["globex-reporter"] },
    { id: "initech", clientCertNames: ["initech-reporter", "spiffe://initech/reporter"] },
  ]);
}

function authorization(value: string): Metadata {
  const metadata = new Metadata();
  metadata.set("authorization", value);
  return metadata;
}

describe("hashToken", () => {
  it("is the lower-case hex SHA-256 of the token's UTF-8 bytes", () => {
    expect(hashToken("test")).toBe("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    expect(hashToken("jeton-été")).toBe(createHash("sha256").update("jeton-été", "utf8").digest("hex"));
  });

  it.each([[""], ["two words"], [" padded"]])("refuses a token that could never be sent: %j", (token) => {
    expect(() => hashToken(token)).toThrow(InvalidArgumentError);
  });
});

describe("TenantTokens.authenticate", () => {
  it("identifies the tenant of each token, rotated ones included", () => {
    const t = tokens();
    expect(t.authenticate(bearerMetadata(ACME_TOKEN))).toBe("acme");
    expect(t.authenticate(bearerMetadata("acme-token-2"))).toBe("acme");
    expect(t.authenticate(bearerMetadata(GLOBEX_TOKEN))).toBe("globex");
    expect(t.tenants).toEqual(["acme", "globex", "initech"]);
  });

  it("says UNAUTHENTICATED without credentials or with a header that is not a bearer token", () => {
    const t = tokens();
    expect(() => t.authenticate(new Metadata())).toThrow(UnauthenticatedError);
    expect(() => t.authenticate(authorization(ACME_TOKEN))).toThrow(UnauthenticatedError);
    expect(() => t.authenticate(authorization("Basic YWxhZGRpbjpvcGVuc2VzYW1l"))).toThrow(
      UnauthenticatedError,
    );
  });

  it("says PERMISSION_DENIED for any token it does not know", () => {
    const t = tokens();
    fc.assert(
      fc.property(fc.stringMatching(/^\S{1,80}$/), (token) => {
        fc.pre(![ACME_TOKEN, "acme-token-2", GLOBEX_TOKEN].includes(token));
        expect(() => t.authenticate(bearerMetadata(token))).toThrow(PermissionDeniedError);
      }),
    );
  });

  it("never takes the digest itself for the token", () => {
    expect(() => tokens().authenticate(bearerMetadata(hashToken(ACME_TOKEN)))).toThrow(PermissionDeniedError);
  });

  it("identifies a tenant by any listed certificate name when no token is sent", () => {
    const t = tokens();
    expect(t.authenticate(new Metadata(), ["globex-reporter"])).toBe("globex");
    expect(t.authenticate(new Metadata(), ["other", "spiffe://initech/reporter"])).toBe("initech");
  });

  it("refuses a certificate that names no tenant, or names two", () => {
    const t = tokens();
    expect(() => t.authenticate(new Metadata(), ["someone-else"])).toThrow(
      new PermissionDeniedError("the client certificate is not mapped to a tenant"),
    );
    expect(() => t.authenticate(new Metadata(), ["globex-reporter", "initech-reporter"])).toThrow(
      PermissionDeniedError,
    );
  });

  it("lets a token decide when the certificate names no tenant, and refuses when they disagree", () => {
    const t = tokens();
    expect(t.authenticate(bearerMetadata(ACME_TOKEN), ["someone-else"])).toBe("acme");
    expect(t.authenticate(bearerMetadata(GLOBEX_TOKEN), ["globex-reporter"])).toBe("globex");
    expect(() => t.authenticate(bearerMetadata(ACME_TOKEN), ["globex-reporter"])).toThrow(
      "the bearer token and the client certificate identify different tenants",
    );
  });

  it("ignores certificates when no tenant is identified by one", () => {
    const t = new TenantTokens([{ id: "acme", tokenSha256: hashToken(ACME_TOKEN) }]);
    expect(t.acceptsClientCertificates).toBe(false);
    expect(() => t.authenticate(new Metadata(), ["acme"])).toThrow(UnauthenticatedError);
  });
});

describe("TenantTokens.parse", () => {
  const digest = hashToken("t");

  it("reads the documented format", () => {
    const t = TenantTokens.parse(
      JSON.stringify({
        tenants: [
          { id: "acme", token_sha256: digest },
          { id: "globex", client_cert_names: ["globex-reporter"] },
        ],
      }),
    );
    expect(t.tenants).toEqual(["acme", "globex"]);
    expect(t.authenticate(bearerMetadata("t"))).toBe("acme");
    expect(t.authenticate(new Metadata(), ["globex-reporter"])).toBe("globex");
  });

  it.each([
    ["not JSON", "{tenants:", "f: not valid JSON at position 1"],
    [
      "not JSON, a raw token pasted unquoted (never echoed)",
      '{"tenants":[{"id":"acme","token_sha256":tok-PASTED-SECRET}]}',
      "f: not valid JSON at position 40",
    ],
    ["not an object", "[]", 'f: expected a JSON object {"tenants": [...]}'],
    ["without tenants", "{}", 'f: expected a JSON object {"tenants": [...]}'],
    ["with an unknown top-level key", `{"tenants":[],"tennants":[]}`, 'f: unknown key "tennants"'],
    ["empty", `{"tenants":[]}`, "f: lists no tenants"],
    ["with an entry that is not an object", `{"tenants":["acme"]}`, "f: tenants[0]: expected an object"],
    [
      "with a missing id",
      `{"tenants":[{"token_sha256":"${digest}"}]}`,
      'f: tenants[0]: "id" must be a string',
    ],
    [
      "with a bad id",
      `{"tenants":[{"id":"Acme Corp","token_sha256":"${digest}"}]}`,
      'f: tenants[0]: id "Acme Corp" is not a tenant id',
    ],
    ["with a short digest", `{"tenants":[{"id":"acme","token_sha256":"abc"}]}`, "must be 64 hexadecimal"],
    ["with a digest that is a number", `{"tenants":[{"id":"acme","token_sha256":1}]}`, "must be a string"],
    ["with no credential", `{"tenants":[{"id":"acme"}]}`, 'needs "token_sha256" or "client_cert_names"'],
    [
      "with a token in the clear",
      `{"tenants":[{"id":"acme","token":"s3cret"}]}`,
      'tenants[0]: unknown key "token": store the token\'s SHA-256 as "token_sha256"',
    ],
    ["with a misspelt key", `{"tenants":[{"id":"acme","token_sha":"x"}]}`, 'unknown key "token_sha"'],
    [
      "with a digest listed twice",
      `{"tenants":[{"id":"acme","token_sha256":"${digest}"},{"id":"b","token_sha256":"${digest.toUpperCase()}"}]}`,
      'f: tenants[1]: this token_sha256 is already listed (tenant "acme")',
    ],
    [
      "with a certificate name listed twice",
      `{"tenants":[{"id":"a","client_cert_names":["n"]},{"id":"b","client_cert_names":["n"]}]}`,
      'f: tenants[1]: client certificate name "n" is already listed (tenant "a")',
    ],
    [
      "with certificate names not strings",
      `{"tenants":[{"id":"a","client_cert_names":[1]}]}`,
      "array of strings",
    ],
    ["with an empty certificate name", `{"tenants":[{"id":"a","client_cert_names":[""]}]}`, "an empty name"],
  ])("refuses a file %s", (_name, text, message) => {
    expect(() => TenantTokens.parse(text, "f")).toThrow(InvalidArgumentError);
    expect(() => TenantTokens.parse(text, "f")).toThrow(message);
  });

  it("never echoes a token pasted in the clear", () => {
    try {
      TenantTokens.parse(`{"tenants":[{"id":"acme","token":"s3cret-value"}]}`, "f");
    } catch (err) {
      expect((err as Error).message).not.toContain("s3cret-value");
    }
    expect.assertions(1);
  });
});
