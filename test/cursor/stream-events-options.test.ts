import { describe, expectTypeOf, it } from "vitest";
import type { AuditLog } from "../../src/auditlog/audit-log.js";
import type { EventsClient } from "../../src/client/events-client.js";
import type { Cursor } from "../../src/cursor/cursor.js";
import type { StreamEventsOptions } from "../../src/cursor/stream-events-options.js";
import type { EventSource } from "../../src/reporter/event-source.js";

describe("StreamEventsOptions", () => {
  // Checked by the typecheck (CI runs tsc over the tests): a hop that grows its own options fails it.
  it("is the options of streamEvents at the audit log, the events client and the reporter's source", () => {
    expectTypeOf<Parameters<AuditLog["streamEvents"]>>().toEqualTypeOf<[Cursor, StreamEventsOptions?]>();
    expectTypeOf<Parameters<EventSource["streamEvents"]>>().toEqualTypeOf<[string, StreamEventsOptions?]>();
    expectTypeOf<Parameters<EventsClient["streamEvents"]>>().toEqualTypeOf<
      [string | Cursor, StreamEventsOptions?]
    >();
  });
});
