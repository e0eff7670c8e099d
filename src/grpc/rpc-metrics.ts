import {
  InterceptingCall,
  ServerInterceptingCall,
  status as Status,
  type Interceptor,
  type ServerInterceptor,
} from "@grpc/grpc-js";
import { performance } from "node:perf_hooks";
import { counter, histogram, type Registry } from "../observability/metrics.js";

/**
 * Per-RPC metrics in the shape of go-grpc-prometheus (what Grafana's gRPC dashboards and most alert rules
 * expect): `grpc_{server,client}_started_total`, `…_handled_total` by `grpc_code`, `…_msg_received_total`,
 * `…_msg_sent_total` and the `…_handling_seconds` histogram, labelled by `grpc_type`, `grpc_service` and
 * `grpc_method`. Counters per message are bound once per call, so a stream of events pays one increment
 * per message.
 */

type Side = "server" | "client";
type MethodLabels = { grpc_type: string; grpc_service: string; grpc_method: string };
type MethodShape = { path: string; requestStream: boolean; responseStream: boolean };

/** Go's names of the status codes (`codes.Code.String()`), as go-grpc-prometheus labels them. */
const CODE_NAMES: readonly string[] = [
  "OK",
  "Canceled",
  "Unknown",
  "InvalidArgument",
  "DeadlineExceeded",
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "ResourceExhausted",
  "FailedPrecondition",
  "Aborted",
  "OutOfRange",
  "Unimplemented",
  "Internal",
  "Unavailable",
  "DataLoss",
  "Unauthenticated",
];

export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? `Code(${code})`;
}

/** Handling time buckets, in seconds: unary calls take milliseconds, streams may last hours. */
const HANDLING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 300, 3600];

export function methodLabels(method: MethodShape): MethodLabels {
  const path = method.path.startsWith("/") ? method.path.slice(1) : method.path;
  const slash = path.lastIndexOf("/");
  const type = method.requestStream
    ? method.responseStream
      ? "bidi_stream"
      : "client_stream"
    : method.responseStream
      ? "server_stream"
      : "unary";
  return {
    grpc_type: type,
    grpc_service: slash < 0 ? "" : path.slice(0, slash),
    grpc_method: slash < 0 ? path : path.slice(slash + 1),
  };
}

export class RpcMetrics {
  readonly #started;
  readonly #handled;
  readonly #received;
  readonly #sent;
  readonly #seconds;

  constructor(registry: Registry, side: Side) {
    const labelNames = ["grpc_type", "grpc_service", "grpc_method"] as const;
    const what = side === "server" ? "started on the server" : "started by the client";
    this.#started = counter(registry, {
      name: `grpc_${side}_started_total`,
      help: `RPCs ${what}.`,
      labelNames,
    });
    this.#handled = counter(registry, {
      name: `grpc_${side}_handled_total`,
      help: `RPCs completed (${side} side), by status code.`,
      labelNames: [...labelNames, "grpc_code"],
    });
    this.#received = counter(registry, {
      name: `grpc_${side}_msg_received_total`,
      help: `Messages received by the ${side}.`,
      labelNames,
    });
    this.#sent = counter(registry, {
      name: `grpc_${side}_msg_sent_total`,
      help: `Messages sent by the ${side}.`,
      labelNames,
    });
    this.#seconds = histogram(registry, {
      name: `grpc_${side}_handling_seconds`,
      help: `Time from an RPC's start to its status (${side} side).`,
      labelNames,
      buckets: HANDLING_BUCKETS,
    });
  }

  /** Creates every series of a method at 0, so `rate()` and alerts work before its first call. */
  initialize(method: MethodShape): void {
    const labels = methodLabels(method);
    this.#started.labels(labels).inc(0);
    this.#received.labels(labels).inc(0);
    this.#sent.labels(labels).inc(0);
    for (const code of CODE_NAMES) this.#handled.labels({ ...labels, grpc_code: code }).inc(0);
    this.#seconds.zero(labels);
  }

  /** Records a call's start; returns the hooks for its messages and its end (the first end counts). */
  begin(method: MethodShape): CallRecorder {
    const labels = methodLabels(method);
    this.#started.labels(labels).inc();
    const received = this.#received.labels(labels);
    const sent = this.#sent.labels(labels);
    const startedAt = performance.now();
    let ended = false;
    return {
      received: () => received.inc(),
      sent: () => sent.inc(),
      ended: (code: number) => {
        if (ended) return;
        ended = true;
        this.#handled.labels({ ...labels, grpc_code: grpcCodeName(code) }).inc();
        this.#seconds.labels(labels).observe((performance.now() - startedAt) / 1000);
      },
    };
  }
}

export interface CallRecorder {
  received(): void;
  sent(): void;
  ended(code: number): void;
}

/** A server interceptor that records every call of every service, health and reflection included. */
export function serverRpcMetrics(metrics: RpcMetrics): ServerInterceptor {
  return (method, call) => {
    const record = metrics.begin(method);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            record.received();
            nextMessage(message);
          },
          onCancel: () => record.ended(Status.CANCELLED),
        }),
      sendMessage: (message, next) => {
        record.sent();
        next(message);
      },
      sendStatus: (status, next) => {
        record.ended(status.code ?? Status.UNKNOWN);
        next(status);
      },
    });
  };
}

/** A client interceptor recording each call the channel makes. */
export function clientRpcMetrics(metrics: RpcMetrics): Interceptor {
  return (options, nextCall) => {
    const record = metrics.begin(options.method_definition);
    return new InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) =>
        next(metadata, {
          onReceiveMessage: (message: unknown, nextMessage: (message: unknown) => void) => {
            record.received();
            nextMessage(message);
          },
          onReceiveStatus: (status, nextStatus) => {
            record.ended(status.code);
            nextStatus(status);
          },
        }),
      sendMessage: (message, next) => {
        record.sent();
        next(message);
      },
    });
  };
}
