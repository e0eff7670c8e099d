import { readFile } from "node:fs/promises";
import { ChannelCredentials, ServerCredentials } from "@grpc/grpc-js";
import { InvalidArgumentError } from "../errors/errors.js";

/** A server's TLS material, as PEM files. */
export interface ServerTlsOptions {
  certPath: string;
  keyPath: string;
  /** When set, clients must present a certificate signed by this CA (mutual TLS). */
  clientCaPath?: string;
}

/**
 * A client's TLS settings. An empty object means TLS verified against the system's root CAs.
 * `certPath` and `keyPath` (both or neither) present a client certificate.
 */
export interface ClientTlsOptions {
  caPath?: string;
  certPath?: string;
  keyPath?: string;
}

/** Credentials for `Server.bindAsync`: insecure without options. @throws InvalidArgumentError */
export async function serverCredentials(tls: ServerTlsOptions | undefined): Promise<ServerCredentials> {
  if (tls === undefined) return ServerCredentials.createInsecure();
  const [cert, key, ca] = await Promise.all([
    readPem(tls.certPath, "TLS certificate"),
    readPem(tls.keyPath, "TLS private key"),
    tls.clientCaPath === undefined ? null : readPem(tls.clientCaPath, "TLS client CA"),
  ]);
  return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null);
}

/** Credentials for a client channel: insecure without options. @throws InvalidArgumentError */
export async function channelCredentials(tls: ClientTlsOptions | undefined): Promise<ChannelCredentials> {
  if (tls === undefined) return ChannelCredentials.createInsecure();
  if ((tls.certPath === undefined) !== (tls.keyPath === undefined)) {
    throw new InvalidArgumentError("a TLS client certificate needs both a certificate and a key");
  }
  const [ca, cert, key] = await Promise.all([
    tls.caPath === undefined ? null : readPem(tls.caPath, "TLS CA"),
    tls.certPath === undefined ? null : readPem(tls.certPath, "TLS client certificate"),
    tls.keyPath === undefined ? null : readPem(tls.keyPath, "TLS client key"),
  ]);
  return ChannelCredentials.createSsl(ca, key, cert);
}

async function readPem(path: string, what: string): Promise<Buffer> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InvalidArgumentError(`cannot read the ${what} file "${path}": ${reason}`, { cause: err });
  }
  if (!pem.includes("-----BEGIN ")) {
    throw new InvalidArgumentError(`the ${what} file "${path}" is not PEM`);
  }
  return pem;
}
