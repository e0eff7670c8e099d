import {
  Metadata,
  type CallOptions,
  type ChannelOptions,
  type ClientUnaryCall,
  type ServiceError,
} from "@grpc/grpc-js";
import {
  TenantsServiceClient,
  type Event,
  type SubmitEventsResponse,
  type SubmitUsageReportsResponse,
  type UsageReport,
} from "../../gen/tenants/tenants.js";
import { bearerMetadata } from "../../grpc/bearer-auth.js";
import { CLIENT_KEEPALIVE } from "../../grpc/client-keepalive.js";
import { fromServiceError, isServiceError } from "../../grpc/status.js";
import { clientRpcMetrics, RpcMetrics } from "../../grpc/rpc-metrics.js";
import { channelCredentials, type ClientTlsOptions } from "../../grpc/tls.js";
import type { Registry } from "../../observability/metrics.js";
import type { SubmitOptions, Submitter } from "./submitter.js";

export interface GrpcSubmitterOptions {
  /** Bearer token identifying the tenant, presented on every call. Default none. */
  token?: string;
  /** Deadline of each call, ms. Default 30 000: long enough for a sink write, short enough to retry. */
  callTimeout?: number;
}

/**
 * Submitter over TenantsService's gRPC client. Failures become domain errors through the shared status
 * mapping (src/grpc/status.ts): DEADLINE_EXCEEDED, ABORTED and an unrequested CANCELLED are unavailable,
 * so the reporter retries them.
 */
export class GrpcSubmitter implements Submitter {
  readonly #client: TenantsServiceClient;
  readonly #metadata: () => Metadata;
  readonly #callTimeout: number;

  constructor(client: TenantsServiceClient, options: GrpcSubmitterOptions = {}) {
    this.#client = client;
    const { token } = options;
    this.#metadata = () => (token === undefined ? new Metadata() : bearerMetadata(token));
    this.#callTimeout = options.callTimeout ?? 30_000;
  }

  submitEvents(events: readonly Event[], options: SubmitOptions = {}): Promise<SubmitEventsResponse> {
    return this.#unary<SubmitEventsResponse>(options, (metadata, callOptions, done) =>
      this.#client.submitEvents({ events: [...events] }, metadata, callOptions, done),
    );
  }

  submitUsageReports(
    reports: readonly UsageReport[],
    options: SubmitOptions = {},
  ): Promise<SubmitUsageReportsResponse> {
    return this.#unary<SubmitUsageReportsResponse>(options, (metadata, callOptions, done) =>
      this.#client.submitUsageReports({ reports: [...reports] }, metadata, callOptions, done),
    );
  }

  /** Closes the channel. */
  close(): void {
    this.#client.close();
  }

  #unary<R>(
    { signal }: SubmitOptions,
    start: (
      metadata: Metadata,
      options: Partial<CallOptions>,
      done: (err: ServiceError | null, response: R) => void,
    ) => ClientUnaryCall,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => call.cancel();
      const call = start(this.#metadata(), { deadline: Date.now() + this.#callTimeout }, (err, response) => {
        signal?.removeEventListener("abort", onAbort);
        if (err === null) resolve(response);
        else if (signal?.aborted) reject(signal.reason as Error);
        else reject(isServiceError(err) ? fromServiceError(err) : err);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/**
 * Creates a submitter for the tenants service at `address` ("HOST:PORT" or any grpc-js target).
 * @throws InvalidArgumentError for unreadable TLS files
 */
export async function createGrpcSubmitter(
  address: string,
  options: GrpcSubmitterOptions & {
    tls?: ClientTlsOptions;
    channelOptions?: ChannelOptions;
    /** Where per-RPC metrics go (`grpc_client_*`); default none recorded. */
    registry?: Registry;
  } = {},
): Promise<GrpcSubmitter> {
  const credentials = await channelCredentials(options.tls);
  return new GrpcSubmitter(
    new TenantsServiceClient(address, credentials, submitterChannelOptions(options)),
    options,
  );
}

/** The submitter's channel: keepalive as every client of ours, metrics when asked, then the caller's own. */
export function submitterChannelOptions(options: {
  channelOptions?: ChannelOptions;
  registry?: Registry;
}): ChannelOptions {
  return {
    ...CLIENT_KEEPALIVE,
    ...(options.registry && { interceptors: [clientRpcMetrics(new RpcMetrics(options.registry, "client"))] }),
    ...options.channelOptions,
  };
}
