import { createHash } from "node:crypto";
import { isLosslessNumber, type JsonValue } from "../events/json.js";

/**
 * Canonical JSON text: object keys sorted recursively (by UTF-16 code units, as RFC 8785 does), no
 * whitespace, strings escaped as JSON.stringify does, and numbers exactly as the event carried them (an
 * index beyond 2^53 keeps every digit). Equal events give equal text whatever their key order.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (isLosslessNumber(value)) return value.toString();
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as JsonValue)}`).join(",")}}`;
}

/** SHA-256 (lowercase hex) of the canonical JSON: the idempotency key of an event without a uid. */
export function contentId(value: JsonValue): string {
  return createHash("sha256").update(canonicalJson(value), "utf8").digest("hex");
}
