import type { MethodDefinition } from "@grpc/grpc-js";
import {
  SubmitEventsRequest,
  SubmitUsageReportsRequest,
  TenantsServiceService,
  type SubmitEventsResponse,
  type SubmitUsageReportsResponse,
} from "../gen/tenants/tenants.js";

/** A request with its encoded size. `message` is undefined when the size was over the limit. */
export interface Measured<T> {
  bytes: number;
  message: T | undefined;
}

/**
 * TenantsService with request decoding that records each request's encoded size and does not decode one
 * over `maxBytes`, so the handler can refuse it by its exact size, with its own message and metrics,
 * without the cost of decoding or re-encoding it.
 */
export function measuredTenantsService(maxBytes: number) {
  return {
    submitEvents: measured<SubmitEventsRequest, SubmitEventsResponse>(
      TenantsServiceService.submitEvents,
      (bytes) => SubmitEventsRequest.decode(bytes),
      maxBytes,
    ),
    submitUsageReports: measured<SubmitUsageReportsRequest, SubmitUsageReportsResponse>(
      TenantsServiceService.submitUsageReports,
      (bytes) => SubmitUsageReportsRequest.decode(bytes),
      maxBytes,
    ),
  } as const;
}

export type MeasuredTenantsService = ReturnType<typeof measuredTenantsService>;

function measured<Req, Res>(
  method: MethodDefinition<Req, Res>,
  decode: (bytes: Uint8Array) => Req,
  maxBytes: number,
): MethodDefinition<Measured<Req>, Res> {
  return {
    ...method,
    requestSerialize: (request) => {
      if (request.message === undefined) throw new Error("an unmeasured request cannot be re-encoded");
      return method.requestSerialize(request.message);
    },
    requestDeserialize: (buffer) => ({
      bytes: buffer.length,
      message: buffer.length > maxBytes ? undefined : decode(buffer),
    }),
  };
}
