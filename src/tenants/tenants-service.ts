import type { ServerUnaryCall } from "@grpc/grpc-js";
import { timeBounds, type TimeBounds } from "../activity/time-bounds.js";
import {
  InternalError,
  InvalidArgumentError,
  isDomainError,
  ResourceExhaustedError,
} from "../errors/errors.js";
import type {
  Event,
  SubmitEventsRequest,
  SubmitEventsResponse,
  SubmitUsageReportsRequest,
  SubmitUsageReportsResponse,
  UsageReport,
} from "../gen/tenants/tenants.js";
import { unaryHandler } from "../grpc/unary.js";
import { silentLogger, type Logger } from "../observability/logger.js";
import { newRegistry } from "../observability/metrics.js";
import type { Sink, WriteResult } from "../store/sink.js";
import { certificateNames } from "./certificate-names.js";
import { validateEvents } from "./event-validation.js";
import { measuredTenantsService, type Measured, type MeasuredTenantsService } from "./measured-request.js";
import { TenantRateLimiter } from "./rate-limiter.js";
import { tenantsMetrics, type RejectReason, type Rpc } from "./tenants-metrics.js";
import { tenantsSettings, type TenantsServiceOptions } from "./tenants-options.js";
import { validateUsageReports } from "./usage-report-validation.js";

/** What to register on a GrpcServer: the service definition (it measures requests) and its handlers. */
export interface TenantsServiceRegistration {
  definition: MeasuredTenantsService;
  implementation: {
    submitEvents: ReturnType<typeof unaryHandler<Measured<SubmitEventsRequest>, SubmitEventsResponse>>;
    submitUsageReports: ReturnType<
      typeof unaryHandler<Measured<SubmitUsageReportsRequest>, SubmitUsageReportsResponse>
    >;
  };
}

type Stage = "auth" | "decode" | "size" | "validation" | "rate" | "sink";

/**
 * TenantsService over a sink. Each call, in order: authenticate (the tenant comes from the credentials
 * only), refuse a request that is not a valid message or holds invalid UTF-8 (INVALID_ARGUMENT, naming
 * the field), check the batch's size, validate every record (the batch is refused whole, naming its
 * problems), take the events from the tenant's rate limit, then store the batch and answer only once the
 * sink has durably accepted all of it. Failures go through the one status mapping (src/grpc/status.ts):
 * a sink that is down (UnavailableError) answers UNAVAILABLE, and the reporter retries.
 *
 * @param trackWork called with each call's work so a graceful shutdown waits for it
 * @throws InvalidArgumentError for bad options
 */
export function createTenantsService(
  sink: Sink,
  options: TenantsServiceOptions,
  trackWork: (work: Promise<unknown>) => void = () => undefined,
): TenantsServiceRegistration {
  const settings = tenantsSettings(options);
  const logger = settings.logger ?? silentLogger;
  const metrics = tenantsMetrics(settings.registry ?? newRegistry(), settings.tokens.tenants);
  const limiter = new TenantRateLimiter(settings.rateLimit, settings.now);

  /** Runs the steps shared by both calls, recording the outcome. */
  async function submit<Req, Item>(
    rpc: Rpc,
    call: ServerUnaryCall<Measured<Req>, unknown>,
    batch: {
      noun: string;
      maxItems: number;
      items: (request: Req) => readonly Item[];
      validate: (items: readonly Item[], bounds: TimeBounds) => void;
      rateLimited: boolean;
      written: { inc(labels: { tenant: string }, value: number): void };
      write: (tenant: string, items: readonly Item[]) => Promise<WriteResult>;
    },
  ): Promise<number> {
    let stage: Stage = "auth";
    let tenant = "";
    let log = logger.child({ rpc, peer: call.getPeer() });
    let count = 0;
    let admitted = 0;
    try {
      tenant = authenticate(call);
      log = log.child({ tenant });
      stage = "decode";
      const request = readRequest(call.request);
      stage = "size";
      const items = checkSize(request, batch.noun, batch.maxItems, batch.items);
      count = items.length;
      stage = "validation";
      batch.validate(items, timeBounds(settings.now(), settings.earliestMs, settings.maxFutureSkewMs));
      if (items.length === 0) {
        metrics.batches.inc({ rpc, tenant, result: "accepted", reason: "" });
        return 0;
      }
      stage = "rate";
      if (batch.rateLimited) {
        limiter.admit(tenant, items.length);
        admitted = items.length;
      }
      stage = "sink";
      const stopTimer = metrics.sinkWriteSeconds.startTimer({ rpc });
      let result: WriteResult;
      try {
        result = await batch.write(tenant, items);
      } catch (err) {
        stopTimer({ outcome: "error" });
        throw err;
      }
      stopTimer({ outcome: "ok" });
      if (result.accepted !== items.length) {
        // Never acknowledge part of a batch: the reporter would move its cursor past the rest.
        throw new InternalError(`the sink accepted ${result.accepted} of ${items.length} ${batch.noun}`);
      }
      metrics.batches.inc({ rpc, tenant, result: "accepted", reason: "" });
      batch.written.inc({ tenant }, result.accepted);
      log.debug({ items: items.length, bytes: call.request.bytes }, "batch stored");
      return result.accepted;
    } catch (err) {
      if (admitted > 0) limiter.refund(tenant, admitted);
      const reason = rejectReason(stage, err);
      metrics.batches.inc({ rpc, tenant, result: "rejected", reason });
      if (reason === "rate_limited") metrics.rateLimitedEvents.inc({ tenant }, count);
      logRejection(log, reason, err);
      throw err;
    }
  }

  function authenticate(call: ServerUnaryCall<unknown, unknown>): string {
    const names = settings.clientCertificates
      ? certificateNames(call.getAuthContext().sslPeerCertificate)
      : [];
    return settings.tokens.authenticate(call.metadata, names);
  }

  /** The decoded request. @throws InvalidArgumentError for a malformed one, ResourceExhausted for one too large */
  function readRequest<Req>(request: Measured<Req>): Req {
    if (request.unread === undefined) return request.message;
    if (request.unread.reason === "malformed") {
      throw new InvalidArgumentError(`${request.unread.problem}; nothing stored`);
    }
    throw new ResourceExhaustedError(
      `batch too large: ${request.bytes} bytes, over the limit of ${settings.maxBatchBytes}; send smaller batches`,
    );
  }

  function checkSize<Req, Item>(
    request: Req,
    noun: string,
    maxItems: number,
    items: (request: Req) => readonly Item[],
  ): readonly Item[] {
    const list = items(request);
    if (list.length > maxItems) {
      throw new ResourceExhaustedError(
        `batch too large: ${list.length} ${noun}, over the limit of ${maxItems}; send smaller batches`,
      );
    }
    return list;
  }

  function tracked<Req, Res>(handle: (call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
    return unaryHandler<Req, Res>((call) => {
      const work = handle(call);
      trackWork(work);
      return work;
    }, logger);
  }

  return {
    definition: measuredTenantsService(settings.maxBatchBytes),
    implementation: {
      submitEvents: tracked<Measured<SubmitEventsRequest>, SubmitEventsResponse>(async (call) => {
        const accepted = await submit<SubmitEventsRequest, Event>("submit_events", call, {
          noun: "events",
          maxItems: settings.maxBatchEvents,
          items: (request) => request.events,
          validate: (events, bounds) => validateEvents(events, bounds, settings.maxReportedProblems),
          rateLimited: true,
          written: metrics.eventsWritten,
          write: (tenant, events) => sink.write(tenant, events),
        });
        return { accepted };
      }),
      submitUsageReports: tracked<Measured<SubmitUsageReportsRequest>, SubmitUsageReportsResponse>(
        async (call) => {
          const accepted = await submit<SubmitUsageReportsRequest, UsageReport>(
            "submit_usage_reports",
            call,
            {
              noun: "usage reports",
              maxItems: settings.maxBatchUsageReports,
              items: (request) => request.reports,
              validate: (reports, bounds) =>
                validateUsageReports(reports, bounds, settings.maxReportedProblems),
              rateLimited: false,
              written: metrics.usageReportsWritten,
              write: (tenant, reports) => sink.writeUsageReports(tenant, reports),
            },
          );
          return { accepted };
        },
      ),
    },
  };
}

/** The metric reason for a refusal at `stage`. */
function rejectReason(stage: Stage, err: unknown): RejectReason {
  const kind = isDomainError(err) ? err.kind : "internal";
  switch (stage) {
    case "auth":
      return kind === "permission-denied" ? "permission_denied" : "unauthenticated";
    case "decode":
      return kind === "invalid-argument" ? "invalid" : "too_large";
    case "size":
      return "too_large";
    case "validation":
      return "invalid";
    case "rate":
      return "rate_limited";
    case "sink":
      return `sink_${kind.replace("-", "_")}`;
  }
}

function logRejection(log: Logger, reason: RejectReason, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  if (reason === "rate_limited") log.debug({ reason }, message);
  else if (reason.startsWith("sink_")) log.warn({ reason, err }, "the sink did not store the batch");
  else log.warn({ reason }, message);
}
