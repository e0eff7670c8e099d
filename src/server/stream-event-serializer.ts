import { AuthServiceService, StreamEvent } from "../gen/auth/auth.js";
import { AuthServiceService as TeleportAuthServiceService } from "../gen/proto/authservice.js";
import { SlabWriter } from "../grpc/slab-writer.js";

// One writer for the process: gRPC serializes each message synchronously, so calls never interleave.
const writer = new SlabWriter();

/**
 * `StreamEvent.encode(event).finish()` as a Buffer, byte for byte, without a new writer and two copies
 * per message: the events server's hottest path serializes one message per audit event.
 */
export function serializeStreamEvent(event: StreamEvent): Buffer {
  try {
    StreamEvent.encode(event, writer.asBinaryWriter());
  } catch (err) {
    writer.discard();
    throw err;
  }
  return writer.finish();
}

/** AuthService's gRPC definition with the StreamEvents responses serialized by `serializeStreamEvent`. */
export const AUTH_SERVICE_DEFINITION: typeof AuthServiceService = {
  ...AuthServiceService,
  streamEvents: { ...AuthServiceService.streamEvents, responseSerialize: serializeStreamEvent },
};

/** The same method under Teleport's service name, `proto.AuthService`, with the same serializer. */
export const TELEPORT_AUTH_SERVICE_DEFINITION: typeof TeleportAuthServiceService = {
  ...TeleportAuthServiceService,
  streamEvents: { ...TeleportAuthServiceService.streamEvents, responseSerialize: serializeStreamEvent },
};
