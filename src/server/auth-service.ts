import { status as Status, type Metadata, type ServerWritableStream } from "@grpc/grpc-js";
import type { AuditLog } from "../auditlog/audit-log.js";
import { decodeCursor } from "../cursor/cursor.js";
import { ResourceExhaustedError } from "../errors/errors.js";
import {
  CursorMode,
  type AuthServiceServer,
  type StreamEvent,
  type StreamEventsRequest,
} from "../gen/auth/auth.js";
import { endStream, waitForDrain } from "../grpc/server-stream.js";
import { toStatus } from "../grpc/status.js";
import { silentLogger, type Logger } from "../observability/logger.js";
import { newRegistry, type Registry } from "../observability/metrics.js";
import { streamMetrics } from "./stream-metrics.js";
import { StreamSlots } from "./stream-slots.js";
import { DEFAULT_MAX_STREAMS } from "./events-server-defaults.js";

/** Checks a call's credentials; throws UnauthenticatedError / PermissionDeniedError. */
export interface CallAuthenticator {
  authenticate(metadata: Metadata): unknown;
}

export interface AuthServiceOptions {
  /** Concurrent streams before RESOURCE_EXHAUSTED. Default DEFAULT_MAX_STREAMS. */
  maxStreams?: number;
  /** Default: none, every caller is served. */
  authenticator?: CallAuthenticator;
  /** Aborted when the server shuts down: open streams stop reading the audit log. Default: never. */
  shutdownSignal?: AbortSignal;
  /** Called with each stream's work so a graceful shutdown can wait for it. Default: not tracked. */
  trackWork?: (work: Promise<void>) => void;
  /** Default silentLogger. */
  logger?: Logger;
  /** Default: a private registry (metrics not exported). */
  registry?: Registry;
}

/** The status a stream ends with when it gives its slot to another client's fair share. */
export const PREEMPTED_STATUS = {
  code: Status.UNAVAILABLE,
  details: "stream ended to give another client its fair share of streams; resume from your last cursor",
};

export { DEFAULT_MAX_STREAMS };

/**
 * AuthService over any AuditLog. Each StreamEvents call reads the log from the request's cursor and
 * writes events only as fast as the client takes them: when `write` reports a full buffer it waits for
 * 'drain' before pulling the next event, so a stalled client holds a bounded number of events. Stream
 * slots are shared fairly between connections (see StreamSlots).
 */
export function createAuthService(auditLog: AuditLog, options: AuthServiceOptions = {}): AuthServiceServer {
  const maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
  const logger = options.logger ?? silentLogger;
  const shutdownSignal = options.shutdownSignal ?? new AbortController().signal;
  const metrics = streamMetrics(options.registry ?? newRegistry());
  const slots = new StreamSlots<AbortController>(maxStreams);

  async function serve(call: ServerWritableStream<StreamEventsRequest, StreamEvent>): Promise<void> {
    // A client is a connection: grpc-js clients in one process share one, and credentials are shared.
    const client = call.getPeer();
    const log = logger.child({ peer: client });
    const cancelled = new AbortController();
    const onCancelled = () => cancelled.abort();
    call.once("cancelled", onCancelled);
    const preempted = new AbortController();
    const signal = AbortSignal.any([cancelled.signal, shutdownSignal, preempted.signal]);
    let admitted = false;
    let outcome = "OK";
    try {
      options.authenticator?.authenticate(call.metadata);
      const cursor = decodeCursor(call.request.cursor);
      const admission = slots.admit(client, preempted);
      if (!admission.admitted) {
        throw new ResourceExhaustedError(
          admission.share === undefined
            ? `too many concurrent streams (limit ${admission.limit}); retry later`
            : `too many concurrent streams (limit ${admission.limit}), and this connection holds its ` +
                `fair share (${admission.share}); retry later`,
        );
      }
      admission.preempted?.abort();
      admitted = true;
      metrics.activeStreams.set(slots.active);
      const { untilCaughtUp, cursorMode } = call.request;
      const cursors = cursorMode === CursorMode.CURSOR_MODE_CHECKPOINTS ? "checkpoints" : "every-event";
      log.debug({ cursor: call.request.cursor, untilCaughtUp, cursors }, "stream started");
      const events = auditLog.streamEvents(cursor, { signal, untilCaughtUp, cursors });
      for await (const event of events) {
        if (signal.aborted) break;
        const more = call.write(event);
        metrics.eventsStreamed.inc();
        if (!more) await waitForDrain(call, signal);
        if (signal.aborted) break;
      }
      if (!signal.aborted) endStream(call);
    } catch (err) {
      if (!signal.aborted) {
        const status = toStatus(err, log);
        outcome = Status[status.code] ?? String(status.code);
        endStream(call, status);
      }
    } finally {
      // Ended here whether reading stopped or threw on the abort: the shutdown ends its own streams.
      if (preempted.signal.aborted && !cancelled.signal.aborted && !shutdownSignal.aborted) {
        outcome = "PREEMPTED";
        endStream(call, PREEMPTED_STATUS);
      }
      call.off("cancelled", onCancelled);
      if (admitted) {
        slots.release(client, preempted);
        metrics.activeStreams.set(slots.active);
      }
      if (cancelled.signal.aborted) outcome = "CLIENT_GONE";
      else if (shutdownSignal.aborted) outcome = "UNAVAILABLE";
      metrics.streamsEnded.inc({ status: outcome });
      log.debug({ outcome }, "stream ended");
    }
  }

  return {
    streamEvents(call) {
      const work = serve(call);
      options.trackWork?.(work);
      void work;
    },
  };
}
