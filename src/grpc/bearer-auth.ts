import { createHash, timingSafeEqual } from "node:crypto";
import { Metadata } from "@grpc/grpc-js";
import { InvalidArgumentError, PermissionDeniedError, UnauthenticatedError } from "../errors/errors.js";

/**
 * Bearer-token authentication: callers send `authorization: Bearer <token>` metadata. Tokens are compared
 * as SHA-256 digests with a constant-time compare, so neither the comparison time nor a digest's length
 * says anything about a token.
 */

const SCHEME = /^Bearer[ ]+(\S+)\s*$/i;

/**
 * Known tokens, each with what it identifies (a tenant, or just `true` for a single shared token).
 * Generic so every server uses the same check.
 */
export class BearerTokens<T> {
  private readonly entries: { digest: Buffer; identity: T }[];

  /** @throws InvalidArgumentError when a token is empty or has whitespace (it could never be sent). */
  constructor(tokens: Iterable<readonly [token: string, identity: T]>) {
    this.entries = [];
    for (const [token, identity] of tokens) {
      if (!/^\S+$/.test(token)) {
        throw new InvalidArgumentError("a bearer token must be non-empty and contain no whitespace");
      }
      this.entries.push({ digest: digest(token), identity });
    }
  }

  /**
   * Returns the identity of the token the call presents.
   * @throws UnauthenticatedError when the metadata has no bearer token
   * @throws PermissionDeniedError when the token is not known
   */
  authenticate(metadata: Metadata): T {
    const presented = digest(bearerToken(metadata));
    let found: { identity: T } | undefined;
    // Compare against every entry so the time taken does not depend on which one matched.
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry;
    }
    if (found === undefined) throw new PermissionDeniedError("the bearer token is not valid");
    return found.identity;
  }
}

/** One shared token: `authenticate` returns true or throws. */
export function singleBearerToken(token: string): BearerTokens<true> {
  return new BearerTokens([[token, true]]);
}

/**
 * The token in a call's `authorization` metadata.
 * @throws UnauthenticatedError when there is none or it is not a bearer token.
 */
export function bearerToken(metadata: Metadata): string {
  const values = metadata.get("authorization");
  if (values.length === 0) {
    throw new UnauthenticatedError('missing credentials: send "authorization: Bearer <token>" metadata');
  }
  if (values.length > 1) throw new UnauthenticatedError("more than one authorization header");
  const value = values[0];
  const match = typeof value === "string" ? SCHEME.exec(value) : null;
  if (!match?.[1]) throw new UnauthenticatedError('authorization metadata must be "Bearer <token>"');
  return match[1];
}

/** Client side: the metadata that presents a token on a call. */
export function bearerMetadata(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
