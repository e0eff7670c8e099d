import { Client, credentials, Metadata, status as Status, type ServiceError } from "@grpc/grpc-js";

/**
 * Calls made with the bytes of a request as given, so a test can send what no generated client would
 * encode (invalid UTF-8, CESU-8 surrogates, truncated or garbage protobuf).
 */

export interface RawOutcome {
  code: Status;
  details: string;
  /** Response messages received (streaming) or the response (unary, when OK). */
  messages: Buffer[];
}

const identity = (bytes: Buffer): Buffer => bytes;

/** A client for raw calls; close it when done. */
export function rawClient(port: number): Client {
  return new Client(`127.0.0.1:${port}`, credentials.createInsecure());
}

/** A unary call `path` with request bytes `request`; resolves with its status, whatever it is. */
export function rawUnary(
  client: Client,
  path: string,
  request: Uint8Array,
  options: { metadata?: Metadata; deadlineMs: number },
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      identity,
      identity,
      Buffer.from(request),
      options.metadata ?? new Metadata(),
      { deadline: Date.now() + options.deadlineMs },
      (err: ServiceError | null, response?: Buffer) => {
        if (err) resolve({ code: err.code, details: err.details, messages: [] });
        else resolve({ code: Status.OK, details: "", messages: response ? [response] : [] });
      },
    );
  });
}

/**
 * A server-streaming call `path` with request bytes `request`, read to its end; resolves with its
 * status, whatever it is. `maxMessages` cancels the call after that many messages (status CANCELLED).
 */
export function rawServerStream(
  client: Client,
  path: string,
  request: Uint8Array,
  options: { metadata?: Metadata; deadlineMs: number; maxMessages?: number },
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(
      path,
      identity,
      identity,
      Buffer.from(request),
      options.metadata ?? new Metadata(),
      { deadline: Date.now() + options.deadlineMs },
    );
    const messages: Buffer[] = [];
    call.on("data", (message: Buffer) => {
      messages.push(message);
      if (options.maxMessages !== undefined && messages.length >= options.maxMessages) call.cancel();
    });
    call.on("error", () => undefined);
    call.on("status", (status: { code: Status; details: string }) =>
      resolve({ code: status.code, details: status.details, messages }),
    );
  });
}

/** A length-delimited protobuf field holding `bytes` as they are (what a string field is on the wire). */
export function lengthDelimited(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), Buffer.from(bytes)]);
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}
