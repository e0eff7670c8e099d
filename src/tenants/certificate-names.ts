import type { PeerCertificate } from "node:tls";

/**
 * The names a client certificate can be mapped to a tenant by: its subject common name(s) and its DNS and
 * URI subject alternative names (e.g. a SPIFFE id), in that order. Empty for no certificate (grpc-js gives
 * an empty object when the peer sent none).
 */
export function certificateNames(certificate: PeerCertificate | undefined): string[] {
  if (certificate === undefined) return [];
  const names: string[] = [];
  // Node gives an array when the subject repeats CN.
  const cn: unknown = certificate.subject?.CN;
  for (const name of Array.isArray(cn) ? (cn as unknown[]) : [cn]) {
    if (typeof name === "string" && name !== "") names.push(name);
  }
  for (const [kind, value] of subjectAltNames(certificate.subjectaltname ?? "")) {
    if ((kind === "DNS" || kind === "URI") && value !== "") names.push(value);
  }
  return names;
}

/**
 * Splits Node's `subjectaltname` ("DNS:a.example, URI:spiffe://x, IP Address:127.0.0.1"). Node quotes a
 * value that contains a comma or quote as a JSON string ("DNS:\"a,b\""), which is decoded here.
 */
export function subjectAltNames(text: string): [kind: string, value: string][] {
  const entries: [string, string][] = [];
  const entry = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/y;
  while (entry.lastIndex < text.length) {
    const match = entry.exec(text);
    if (match === null) break;
    const [, kind = "", raw = ""] = match;
    entries.push([kind, raw.startsWith('"') ? decodeQuoted(raw) : raw]);
  }
  return entries;
}

function decodeQuoted(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw;
  }
}
