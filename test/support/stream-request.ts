import { CursorMode, type StreamEventsRequest } from "../../src/gen/auth/auth.js";

/** A StreamEventsRequest with the fields not given at their defaults. */
export function streamRequest(fields: Partial<StreamEventsRequest> = {}): StreamEventsRequest {
  return { cursor: "", untilCaughtUp: false, cursorMode: CursorMode.CURSOR_MODE_UNSPECIFIED, ...fields };
}
