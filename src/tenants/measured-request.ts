import type { MethodDefinition } from "@grpc/grpc-js";
import type { BinaryReader } from "@bufbuild/protobuf/wire";
import {
  SubmitEventsRequest,
  SubmitUsageReportsRequest,
  TenantsServiceService,
  type SubmitEventsResponse,
  type SubmitUsageReportsResponse,
} from "../gen/tenants/tenants.js";
import { decodeStrict } from "../grpc/strict-decode.js";

/**
 * A request with its encoded size, decoded or not. `message` is undefined when it was not decoded:
 * `unread` says why (over the size limit, or not a valid message, invalid UTF-8 included).
 */
export type Measured<T> =
  { bytes: number; message: T; unread?: undefined } | { bytes: number; message?: undefined; unread: Unread };

export type Unread = { reason: "too-large" } | { reason: "malformed"; problem: string };

/**
 * TenantsService with request decoding that records each request's encoded size and never throws, so
 * the handler answers every request itself, authenticating the caller first: one over `maxBytes` is not
 * decoded (refused by its exact size, without the cost of decoding it), and one that is not a valid
 * message, or holds a string that is not valid UTF-8, is carried as malformed (see `decodeStrict`).
 */
export function measuredTenantsService(maxBytes: number) {
  return {
    submitEvents: measured<SubmitEventsRequest, SubmitEventsResponse>(
      TenantsServiceService.submitEvents,
      (reader) => SubmitEventsRequest.decode(reader),
      "SubmitEventsRequest",
      maxBytes,
    ),
    submitUsageReports: measured<SubmitUsageReportsRequest, SubmitUsageReportsResponse>(
      TenantsServiceService.submitUsageReports,
      (reader) => SubmitUsageReportsRequest.decode(reader),
      "SubmitUsageReportsRequest",
      maxBytes,
    ),
  } as const;
}

export type MeasuredTenantsService = ReturnType<typeof measuredTenantsService>;

function measured<Req, Res>(
  method: MethodDefinition<Req, Res>,
  decode: (reader: BinaryReader) => Req,
  what: string,
  maxBytes: number,
): MethodDefinition<Measured<Req>, Res> {
  return {
    ...method,
    requestSerialize: (request) => {
      if (request.message === undefined) throw new Error("an unread request cannot be re-encoded");
      return method.requestSerialize(request.message);
    },
    requestDeserialize: (buffer): Measured<Req> => {
      if (buffer.length > maxBytes) return { bytes: buffer.length, unread: { reason: "too-large" } };
      const decoded = decodeStrict(buffer, decode, what);
      return decoded.problem === undefined
        ? { bytes: buffer.length, message: decoded.message }
        : { bytes: buffer.length, unread: { reason: "malformed", problem: decoded.problem } };
    },
  };
}
