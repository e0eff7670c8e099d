import { wellFormed } from "../text/code-points.js";

/**
 * grpc-js sends status details percent-encoded (`encodeURI`) in the `grpc-message` trailer. Clients cap
 * the metadata they accept (8 KiB by default in grpc-js and grpcio), so the encoded form is bounded well
 * below that.
 */
export const MAX_ENCODED_STATUS_DETAILS = 4096;

const ELLIPSIS = "…";

/**
 * Status details that grpc-js can always send: lone surrogates replaced by U+FFFD, and cut on a
 * character boundary (ending in "…") so the percent-encoded form fits MAX_ENCODED_STATUS_DETAILS.
 * Anything that is not a string becomes "".
 */
export function sendableDetails(details: unknown): string {
  const text = typeof details === "string" ? wellFormed(details) : "";
  // A UTF-16 code unit percent-encodes to at most 9 characters (3 UTF-8 bytes, "%E2%80%A6").
  if (text.length * 9 <= MAX_ENCODED_STATUS_DETAILS) return text;
  if (encodeURI(text).length <= MAX_ENCODED_STATUS_DETAILS) return text;
  const budget = MAX_ENCODED_STATUS_DETAILS - encodeURI(ELLIPSIS).length;
  let used = 0;
  let end = 0;
  for (const char of text) {
    used += encodeURI(char).length;
    if (used > budget) break;
    end += char.length;
  }
  return `${text.slice(0, end)}${ELLIPSIS}`;
}
