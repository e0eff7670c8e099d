import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTeleportTime, monthOf, monthStartMs } from "../../src/generate/calendar.js";
import { formatTimestamp, parseCanonicalTimestamp } from "../../src/events/rfc3339.js";

describe("formatTeleportTime", () => {
  it.each([
    ["2026-09-01T07:58:12.481Z", "2026-09-01T07:58:12.481Z"],
    ["2026-09-03T14:22:05.640Z", "2026-09-03T14:22:05.64Z"],
    ["2026-09-03T14:22:05.500Z", "2026-09-03T14:22:05.5Z"],
    ["2026-09-15T16:45:00.000Z", "2026-09-15T16:45:00Z"],
    ["2026-09-15T16:45:00.001Z", "2026-09-15T16:45:00.001Z"],
    ["1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z"],
  ])("writes %s as Teleport does: %s", (iso, teleport) => {
    expect(formatTeleportTime(Date.parse(iso))).toBe(teleport);
  });

  it("is Go's RFC3339Nano in UTC, which the event codec accepts and writes back unchanged", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        const text = formatTeleportTime(ms);
        const timestamp = parseCanonicalTimestamp(text);
        expect(timestamp).toBeDefined();
        expect(formatTimestamp(timestamp!)).toBe(text);
        expect(Date.parse(text)).toBe(ms);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("months", () => {
  it("rolls over years", () => {
    expect(new Date(monthStartMs(2026, 13)).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(monthOf(monthStartMs(2026, 12) - 1)).toBe("2026-11");
    expect(monthOf(Date.parse("2024-02-29T23:59:59.999Z"))).toBe("2024-02");
  });
});
