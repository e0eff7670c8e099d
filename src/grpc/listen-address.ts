import { BlockList, isIP } from "node:net";
import { InvalidArgumentError } from "../errors/errors.js";

/** A parsed "HOST:PORT" ("[IPv6]:PORT" for IPv6). `host` holds IPv6 addresses without brackets. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Parses "HOST:PORT" or "[IPv6]:PORT". Port 0 asks the system for a free port.
 * @throws InvalidArgumentError saying what is wrong.
 */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) {
    throw new InvalidArgumentError(
      `listen address "${text}" is not HOST:PORT (write IPv6 addresses in brackets, e.g. "[::1]:50051")`,
    );
  }
  const bracketed = match[1];
  const host = bracketed ?? match[2] ?? "";
  const port = Number(match[3]);
  if (host === "") throw new InvalidArgumentError(`listen address "${text}" has no host`);
  if (bracketed !== undefined && isIP(bracketed) !== 6) {
    throw new InvalidArgumentError(`listen address "${text}": "${bracketed}" is not an IPv6 address`);
  }
  if (bracketed === undefined && !/^[A-Za-z0-9.-]+$/.test(host)) {
    throw new InvalidArgumentError(`listen address "${text}": "${host}" is not a host name or IPv4 address`);
  }
  if (port > 65535) throw new InvalidArgumentError(`listen address "${text}": port ${port} is above 65535`);
  return { host, port };
}

/** Formats an address as gRPC bind targets and clients write it ("[::1]:50051" for IPv6). */
export function formatListenAddress(address: ListenAddress): string {
  const host = isIP(address.host) === 6 ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}

/**
 * Whether a host is only reachable from this machine: "localhost", 127.0.0.0/8, ::1 and the IPv4-mapped
 * ::ffff:127.x.y.z. Wildcards ("0.0.0.0", "::") and every other name count as reachable from outside.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost") return true;
  const family = isIP(h);
  if (family === 0) return false;
  return LOOPBACK.check(h, family === 4 ? "ipv4" : "ipv6");
}

// BlockList also matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against the IPv4 subnet.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** What protects a server that listens beyond loopback. */
export interface ListenProtection {
  /** The server presents a certificate (TLS). */
  tls: boolean;
  /** Callers must authenticate (a bearer token or a verified client certificate). */
  authenticated: boolean;
}

/**
 * The rule every server follows: listening beyond loopback needs both TLS and authentication.
 * @throws InvalidArgumentError naming what is missing.
 */
export function assertListenAllowed(address: ListenAddress, protection: ListenProtection): void {
  if (isLoopbackHost(address.host)) return;
  const missing = [protection.tls ? "" : "TLS", protection.authenticated ? "" : "authentication"].filter(
    Boolean,
  );
  if (missing.length === 0) return;
  throw new InvalidArgumentError(
    `refusing to listen on ${formatListenAddress(address)} without ${missing.join(" and ")}: ` +
      `listen on a loopback address (127.0.0.1, [::1], localhost), or configure both TLS ` +
      `(certificate and key) and authentication (a token or client certificates)`,
  );
}
