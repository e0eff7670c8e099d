import type { Prng } from "./prng.js";

/** Public addresses come from the documentation ranges (RFC 5737), never real networks. */
const DOCUMENTATION_NETWORKS = ["192.0.2", "198.51.100", "203.0.113"] as const;

export function documentationAddress(prng: Prng): string {
  return `${prng.pick(DOCUMENTATION_NETWORKS)}.${prng.between(1, 254)}`;
}

/** A client's ephemeral source port. */
export function ephemeralPort(prng: Prng): number {
  return prng.between(49152, 65535);
}

/** A private address inside cluster number `cluster` (0-based). */
export function internalAddress(prng: Prng, cluster: number, subnet: number): string {
  return `10.${(cluster % 250) + 1}.${subnet}.${prng.between(2, 250)}`;
}
