import {
  Client,
  credentials,
  Server,
  ServerCredentials,
  type ServerWritableStream,
  type ServiceDefinition,
} from "@grpc/grpc-js";

const identity = (bytes: Buffer): Buffer => bytes;

/** StreamEvents with no codec: the server writes pre-encoded messages, the client gets the raw bytes. */
const RAW_STREAM_EVENTS: ServiceDefinition = {
  streamEvents: {
    path: "/auth.AuthService/StreamEvents",
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/** The baseline: a bare @grpc/grpc-js server streaming the same encoded messages, honouring backpressure. */
export interface BareStreamServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startBareStreamServer(messages: readonly Buffer[]): Promise<BareStreamServer> {
  const server = new Server();
  server.addService(RAW_STREAM_EVENTS, {
    streamEvents: (call: ServerWritableStream<Buffer, Buffer>) => {
      void (async () => {
        for (const message of messages) {
          if (call.cancelled) return;
          if (!call.write(message)) await new Promise((resolve) => call.once("drain", resolve));
        }
        call.end();
      })();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    port,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/**
 * Reads a whole StreamEvents stream as raw bytes (from the bare server, or from the project's server given
 * an encoded request); `onMessage` sees each message's bytes. Returns the message count.
 */
export async function readBareStream(
  port: number,
  onMessage: (message: Buffer) => void,
  request: Buffer = Buffer.alloc(0),
): Promise<number> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    const call = client.makeServerStreamRequest<Buffer, Buffer>(
      "/auth.AuthService/StreamEvents",
      identity,
      identity,
      request,
    );
    let count = 0;
    for await (const message of call as AsyncIterable<Buffer>) {
      onMessage(message);
      count++;
    }
    return count;
  } finally {
    client.close();
  }
}
