import { status as Status, type ChannelOptions, type ServiceError } from "@grpc/grpc-js";
import { encodeCursor, type Cursor } from "../cursor/cursor.js";
import { UnavailableError } from "../errors/errors.js";
import { NEVER_ABORTED, type StreamEventsOptions } from "../cursor/stream-events-options.js";
import { AuthServiceClient, CursorMode, type StreamEvent } from "../gen/auth/auth.js";
import { bearerMetadata } from "../grpc/bearer-auth.js";
import { fromServiceError, isServiceError } from "../grpc/status.js";
import { clientRpcMetrics, RpcMetrics } from "../grpc/rpc-metrics.js";
import { channelCredentials, type ClientTlsOptions } from "../grpc/tls.js";
import { silentLogger, type Logger } from "../observability/logger.js";
import type { Registry } from "../observability/metrics.js";
import { backoffDelay } from "../time/backoff.js";
import { monotonicClock } from "../time/clock.js";
import { CLIENT_KEEPALIVE } from "../grpc/client-keepalive.js";
import { resolveReconnect, type ReconnectOptions, type ResolvedReconnect } from "./backoff.js";

export interface EventsClientOptions {
  /** Bearer token presented on every call. Default none. */
  token?: string;
  /** Default none: plaintext. `{}` is TLS verified against the system's root CAs. */
  tls?: ClientTlsOptions;
  /** Reconnection backoff; see ReconnectOptions for the defaults. */
  backoff?: ReconnectOptions;
  /** Default silentLogger. */
  logger?: Logger;
  /** Where per-RPC metrics go (`grpc_client_*`); default none recorded. */
  registry?: Registry;
  /**
   * Extra grpc-js channel options, overriding the defaults: reconnect backoff as `backoff`, keepalive
   * pings every 60 s with a 20 s timeout.
   */
  channelOptions?: ChannelOptions;
}

/**
 * A client of an events server (AuthService). Create it with `createEventsClient`; `close` it when done.
 */
export class EventsClient {
  private readonly logger: Logger;

  /** Use createEventsClient. */
  constructor(
    private readonly client: AuthServiceClient,
    private readonly backoff: ResolvedReconnect,
    private readonly options: EventsClientOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Streams events after `cursor` ("" or the empty cursor for the server's start position). When the
   * server becomes unavailable (restarting, connection refused or dropped) it reconnects with jittered
   * exponential backoff and resumes from the last cursor it yielded, so the caller sees neither a gap
   * nor a duplicate. Events are pulled from the call as the caller consumes them; with `cursors:
   * "checkpoints"` the events after the last checkpoint are held back until the next checkpoint arrives
   * (a server batch at most) and dropped on a reconnection, since the server sends them again.
   *
   * With an empty cursor, a server configured to start at `latest` and a reconnection before the first
   * event, the resumed stream starts at `latest` again.
   *
   * @throws the DomainError for any other status (fromServiceError), e.g. InvalidArgumentError for a
   *   malformed cursor, DataLossError, ResourceExhaustedError, UnauthenticatedError
   * @throws UnavailableError when backoff gives up (maxAttempts or giveUpAfter)
   */
  async *streamEvents(
    cursor: string | Cursor,
    options: StreamEventsOptions = {},
  ): AsyncGenerator<StreamEvent, void> {
    const { signal, untilCaughtUp = false } = options;
    const checkpoints = options.cursors === "checkpoints";
    const cursorMode = checkpoints ? CursorMode.CURSOR_MODE_CHECKPOINTS : CursorMode.CURSOR_MODE_EVERY_EVENT;
    let position = typeof cursor === "string" ? cursor : encodeCursor(cursor);
    let failures = 0;
    let lastProgress = Date.now();
    for (;;) {
      if (signal?.aborted) return;
      const metadata = this.options.token === undefined ? undefined : bearerMetadata(this.options.token);
      const request = { cursor: position, untilCaughtUp, cursorMode };
      const call =
        metadata === undefined
          ? this.client.streamEvents(request)
          : this.client.streamEvents(request, metadata);
      const cancel = () => call.cancel();
      signal?.addEventListener("abort", cancel, { once: true });
      const held: StreamEvent[] = [];
      try {
        for await (const event of call as AsyncIterable<StreamEvent>) {
          failures = 0;
          lastProgress = Date.now();
          if (checkpoints && event.cursor === "") {
            held.push(event);
            continue;
          }
          position = event.cursor;
          for (const before of held.splice(0)) yield before;
          yield event;
        }
        // A server ending the stream has delivered everything it sent, checkpoint or not.
        yield* held.splice(0);
        return;
      } catch (err) {
        if (signal?.aborted) return;
        if (!isServiceError(err)) throw err;
        if (!isReconnectable(err)) throw fromServiceError(err);
        failures += 1;
        const waited = Date.now() - lastProgress;
        if (failures >= this.backoff.maxAttempts || waited >= this.backoff.giveUpAfter) {
          throw new UnavailableError(
            `events server unavailable after ${failures} attempt(s) over ${waited} ms: ${err.details}`,
            { cause: err },
          );
        }
        const delay = Math.round(backoffDelay(failures, this.backoff));
        this.logger.warn(
          { code: Status[err.code], details: err.details, delayMs: delay },
          "stream interrupted: reconnecting",
        );
        await monotonicClock.sleep(delay, signal ?? NEVER_ABORTED);
      } finally {
        signal?.removeEventListener("abort", cancel);
        call.cancel();
      }
    }
  }

  /** Closes the channel; streams still open end with an error. */
  close(): void {
    this.client.close();
  }
}

/**
 * Creates a client for the events server at `address` ("HOST:PORT", "[IPv6]:PORT" or any grpc-js target).
 * @throws InvalidArgumentError for unreadable TLS files or bad backoff options
 */
export async function createEventsClient(
  address: string,
  options: EventsClientOptions = {},
): Promise<EventsClient> {
  const backoff = resolveReconnect(options.backoff);
  const credentials = await channelCredentials(options.tls);
  const client = new AuthServiceClient(address, credentials, {
    // The channel's own reconnection follows the same schedule, so a restarted server is found promptly.
    "grpc.initial_reconnect_backoff_ms": Math.round(backoff.initialDelay),
    "grpc.max_reconnect_backoff_ms": Math.round(backoff.maxDelay),
    // A following stream is quiet while the log is; pings tell a dead server from a quiet one.
    ...CLIENT_KEEPALIVE,
    ...(options.registry && { interceptors: [clientRpcMetrics(new RpcMetrics(options.registry, "client"))] }),
    ...options.channelOptions,
  });
  return new EventsClient(client, backoff, options);
}

/**
 * UNAVAILABLE: the server is shutting down, restarting or unreachable. CANCELLED that the caller did not
 * ask for: grpc-js reports a connection the server dropped that way.
 */
function isReconnectable(err: ServiceError): boolean {
  return err.code === Status.UNAVAILABLE || err.code === Status.CANCELLED;
}
