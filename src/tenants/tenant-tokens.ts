import { createHash, timingSafeEqual } from "node:crypto";
import type { Metadata } from "@grpc/grpc-js";
import { InvalidArgumentError, PermissionDeniedError } from "../errors/errors.js";
import { jsonTextError } from "../events/json-guard.js";
import { bearerToken } from "../grpc/bearer-auth.js";
import { isTenantId, TENANT_ID_PATTERN } from "../activity/tenant-id.js";

/**
 * Which credentials identify which tenant. The service keeps only SHA-256 digests of bearer tokens, so
 * the tokens file is not a secret worth stealing; client certificate names are matched exactly.
 *
 * The tokens file (JSON):
 *
 *     {"tenants": [
 *       {"id": "acme", "token_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
 *       {"id": "acme", "token_sha256": "<a second token while rotating>"},
 *       {"id": "globex", "client_cert_names": ["globex-reporter", "spiffe://globex/reporter"]}
 *     ]}
 *
 * Each entry names a tenant `id` (TENANT_ID_PATTERN) and at least one of `token_sha256` (the lower- or
 * upper-case hex SHA-256 of the token's UTF-8 bytes, as `hashToken` gives) and `client_cert_names`
 * (subject common names, DNS or URI SANs of client certificates signed by the server's client CA).
 * A tenant may have several entries; a digest or name may not be listed twice. Unknown keys are refused,
 * so a typo, or a token pasted in the clear, is caught at start-up.
 */
export interface TenantCredentialEntry {
  id: string;
  tokenSha256?: string;
  clientCertNames?: readonly string[];
}

const ENTRY_KEYS = new Set(["id", "token_sha256", "client_cert_names"]);
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** The lower-case hex SHA-256 of a bearer token, as the tokens file stores it. @throws InvalidArgumentError */
export function hashToken(token: string): string {
  if (!/^\S+$/.test(token)) {
    throw new InvalidArgumentError("a bearer token must be non-empty and contain no whitespace");
  }
  return digest(token).toString("hex");
}

export class TenantTokens {
  readonly #digests: { digest: Buffer; tenant: string }[] = [];
  readonly #certNames = new Map<string, string>();
  readonly #tenants = new Set<string>();

  /** @throws InvalidArgumentError naming the first bad entry */
  constructor(entries: readonly TenantCredentialEntry[], source = "tenant credentials") {
    if (entries.length === 0) throw new InvalidArgumentError(`${source}: lists no tenants`);
    const seenDigests = new Map<string, string>();
    entries.forEach((entry, index) => {
      const where = `${source}: tenants[${index}]`;
      if (!isTenantId(entry.id)) {
        throw new InvalidArgumentError(
          `${where}: id ${JSON.stringify(entry.id)} is not a tenant id (${TENANT_ID_PATTERN.source})`,
        );
      }
      if (entry.tokenSha256 === undefined && (entry.clientCertNames ?? []).length === 0) {
        throw new InvalidArgumentError(`${where}: needs "token_sha256" or "client_cert_names"`);
      }
      if (entry.tokenSha256 !== undefined) {
        if (!SHA256_HEX.test(entry.tokenSha256)) {
          throw new InvalidArgumentError(
            `${where}: token_sha256 must be 64 hexadecimal characters, the SHA-256 of the token`,
          );
        }
        const hex = entry.tokenSha256.toLowerCase();
        const owner = seenDigests.get(hex);
        if (owner !== undefined) {
          throw new InvalidArgumentError(`${where}: this token_sha256 is already listed (tenant "${owner}")`);
        }
        seenDigests.set(hex, entry.id);
        this.#digests.push({ digest: Buffer.from(hex, "hex"), tenant: entry.id });
      }
      for (const name of entry.clientCertNames ?? []) {
        if (name === "") throw new InvalidArgumentError(`${where}: client_cert_names has an empty name`);
        const owner = this.#certNames.get(name);
        if (owner !== undefined) {
          throw new InvalidArgumentError(
            `${where}: client certificate name ${JSON.stringify(name)} is already listed (tenant "${owner}")`,
          );
        }
        this.#certNames.set(name, entry.id);
      }
      this.#tenants.add(entry.id);
    });
  }

  /**
   * Parses the tokens file's JSON (format above).
   * @param source names the file in error messages
   * @throws InvalidArgumentError saying what is wrong and where
   */
  static parse(text: string, source = "tenant tokens"): TenantTokens {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      // The parser's own message quotes the text, which may hold a pasted token.
      throw new InvalidArgumentError(`${source}: ${jsonTextError(err, text).message}`, { cause: err });
    }
    if (!isObject(json) || !Array.isArray(json["tenants"])) {
      throw new InvalidArgumentError(`${source}: expected a JSON object {"tenants": [...]}`);
    }
    for (const key of Object.keys(json)) {
      if (key !== "tenants") throw new InvalidArgumentError(`${source}: unknown key ${JSON.stringify(key)}`);
    }
    const entries = (json["tenants"] as unknown[]).map((raw, index) =>
      parseEntry(raw, `${source}: tenants[${index}]`),
    );
    return new TenantTokens(entries, source);
  }

  /** The tenant ids, sorted. */
  get tenants(): string[] {
    return [...this.#tenants].sort();
  }

  /** Whether any tenant is identified by a client certificate. */
  get acceptsClientCertificates(): boolean {
    return this.#certNames.size > 0;
  }

  /**
   * The tenant a call's credentials identify. A bearer token, when sent, decides; a verified client
   * certificate (its names, from `certificateNames`) identifies a tenant on its own, and when both are
   * present they must agree.
   * @throws UnauthenticatedError when there are no credentials or the authorization header is malformed
   * @throws PermissionDeniedError when the token or certificate identifies no tenant, or they disagree
   */
  authenticate(metadata: Metadata, certificateNames: readonly string[] = []): string {
    const byCertificate = this.#tenantOfCertificate(certificateNames);
    if (metadata.get("authorization").length === 0) {
      if (byCertificate !== undefined) return byCertificate;
      if (certificateNames.length > 0 && this.acceptsClientCertificates) {
        throw new PermissionDeniedError("the client certificate is not mapped to a tenant");
      }
    }
    const tenant = this.#tenantOfToken(bearerToken(metadata));
    if (tenant === undefined) throw new PermissionDeniedError("the bearer token is not valid");
    if (byCertificate !== undefined && byCertificate !== tenant) {
      throw new PermissionDeniedError(
        "the bearer token and the client certificate identify different tenants",
      );
    }
    return tenant;
  }

  #tenantOfToken(token: string): string | undefined {
    const presented = digest(token);
    let found: string | undefined;
    // Compare against every digest so the time taken does not depend on which one matched.
    for (const entry of this.#digests) {
      if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.tenant;
    }
    return found;
  }

  #tenantOfCertificate(names: readonly string[]): string | undefined {
    const tenants = new Set<string>();
    for (const name of names) {
      const tenant = this.#certNames.get(name);
      if (tenant !== undefined) tenants.add(tenant);
    }
    if (tenants.size > 1) {
      throw new PermissionDeniedError("the client certificate's names identify more than one tenant");
    }
    return tenants.values().next().value;
  }
}

function parseEntry(raw: unknown, where: string): TenantCredentialEntry {
  if (!isObject(raw)) throw new InvalidArgumentError(`${where}: expected an object`);
  for (const key of Object.keys(raw)) {
    if (ENTRY_KEYS.has(key)) continue;
    const hint =
      key === "token"
        ? ': store the token\'s SHA-256 as "token_sha256", never the token itself'
        : ' (expected "id", "token_sha256", "client_cert_names")';
    throw new InvalidArgumentError(`${where}: unknown key ${JSON.stringify(key)}${hint}`);
  }
  const { id, token_sha256: tokenSha256, client_cert_names: names } = raw;
  if (typeof id !== "string") throw new InvalidArgumentError(`${where}: "id" must be a string`);
  if (tokenSha256 !== undefined && typeof tokenSha256 !== "string") {
    throw new InvalidArgumentError(`${where}: "token_sha256" must be a string`);
  }
  if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === "string"))) {
    throw new InvalidArgumentError(`${where}: "client_cert_names" must be an array of strings`);
  }
  return { id, tokenSha256, clientCertNames: names };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
