import { ResponderBuilder, ServerInterceptingCall, type ServerInterceptor } from "@grpc/grpc-js";
import type { Logger } from "../observability/logger.js";
import { sendableDetails } from "./status-details.js";

/** What a call ends with when grpc-js cannot send the status a handler chose. */
export const UNSENDABLE_STATUS_DETAILS = "the server could not send the details of this status";

/**
 * Every status any handler sends (ours, health, reflection) passes through `sendableDetails`: a status
 * grpc-js fails to send leaves the HTTP/2 stream open and the client waiting until its deadline. Should
 * sending still throw (e.g. its metadata), the call ends with the same code, the plain message above and
 * no metadata.
 */
export function sendableStatusInterceptor(logger: Logger): ServerInterceptor {
  return (_method, call) =>
    new ServerInterceptingCall(
      call,
      new ResponderBuilder()
        .withSendStatus((status, next) => {
          const sendable = { ...status, details: sendableDetails(status.details) };
          try {
            next(sendable);
          } catch (err) {
            logger.error({ err, code: status.code }, "could not send a gRPC status; sending a plain one");
            next({ code: status.code, details: UNSENDABLE_STATUS_DETAILS, metadata: null });
          }
        })
        .build(),
    );
}
