import type { handleUnaryCall, ServerUnaryCall } from "@grpc/grpc-js";
import type { Logger } from "../observability/logger.js";
import { toStatus } from "./status.js";

/**
 * Adapts an async function to a grpc-js unary handler: its result is the response, and whatever it
 * throws goes through the one status mapping (domain errors keep their code and message, anything else
 * is a generic INTERNAL).
 */
export function unaryHandler<Req, Res>(
  handle: (call: ServerUnaryCall<Req, Res>) => Promise<Res>,
  logger: Logger,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handle(call).then(
      (response) => callback(null, response),
      (err: unknown) => callback(toStatus(err, logger)),
    );
  };
}
