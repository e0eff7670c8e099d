import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatTimestamp,
  parseCanonicalTimestamp,
  parseTimestamp,
  timestampToDate,
} from "../../src/events/rfc3339.js";
import { canonicalTime, nonCanonicalTime } from "./support/event-arbitraries.js";

const at = (iso: string) => BigInt(Date.parse(iso) / 1000);

describe("RFC 3339 timestamps as Teleport writes them", () => {
  it.each([
    ["2026-09-03T14:22:05.64Z", { seconds: at("2026-09-03T14:22:05Z"), nanos: 640_000_000 }],
    ["2026-09-15T16:45:00Z", { seconds: at("2026-09-15T16:45:00Z"), nanos: 0 }],
    ["1970-01-01T00:00:00.000000001Z", { seconds: 0n, nanos: 1 }],
    ["1969-12-31T23:59:59.999999999Z", { seconds: -1n, nanos: 999_999_999 }],
    ["0001-01-01T00:00:00Z", { seconds: -62135596800n, nanos: 0 }],
    ["2024-02-29T12:00:00Z", { seconds: at("2024-02-29T12:00:00Z"), nanos: 0 }],
    ["9999-12-31T23:59:59.9Z", { seconds: 253402300799n, nanos: 900_000_000 }],
  ])("%s", (text, timestamp) => {
    expect(parseCanonicalTimestamp(text)).toEqual(timestamp);
    expect(formatTimestamp(timestamp)).toBe(text);
  });

  it.each([
    "2026-09-03T14:22:05.640Z",
    "2026-09-03T14:22:05.0Z",
    "2026-09-03T14:22:05+00:00",
    "2026-09-03T14:22:05z",
    "2026-09-03t14:22:05Z",
    "2026-09-03 14:22:05Z",
    "2026-09-03T14:22:05.1234567891Z",
    "2025-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-09-03T24:00:00Z",
    "2026-09-03T14:60:00Z",
    "2026-09-03T14:22:60Z",
    "26-09-03T14:22:05Z",
    "",
  ])("%s is not canonical", (text) => {
    expect(parseCanonicalTimestamp(text)).toBeUndefined();
  });

  it("formats back every canonical text exactly", () => {
    fc.assert(
      fc.property(canonicalTime, (text) => {
        const timestamp = parseCanonicalTimestamp(text);
        expect(timestamp).toBeDefined();
        expect(formatTimestamp(timestamp!)).toBe(text);
      }),
    );
  });

  it("agrees with Date on the instant", () => {
    fc.assert(
      fc.property(canonicalTime, (text) => {
        expect(timestampToDate(parseCanonicalTimestamp(text)!)?.getTime()).toBe(Date.parse(text));
      }),
    );
  });

  it("refuses every non-canonical spelling", () => {
    fc.assert(
      fc.property(nonCanonicalTime, (text) => {
        expect(parseCanonicalTimestamp(text)).toBeUndefined();
      }),
    );
  });
});

describe("the canonical reader against the plain definition", () => {
  // Teleport's layout as one regex, with RFC3339Nano's rule that a fraction never ends in 0.
  const LAYOUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
  const byDefinition = (text: string) => {
    const match = LAYOUT.exec(text);
    if (match === null || match[7]?.endsWith("0")) return undefined;
    return parseTimestamp(text);
  };
  // Canonical texts with one character replaced, inserted or removed: every near miss of the layout.
  const edited = fc
    .tuple(
      canonicalTime,
      fc.nat(),
      fc.constantFrom(..."0123456789-T:.Zz +٣"),
      fc.constantFrom("set", "insert", "delete"),
    )
    .map(([text, at, char, edit]) => {
      const i = at % (text.length + 1);
      if (edit === "set") return text.slice(0, i) + char + text.slice(i + 1);
      if (edit === "insert") return text.slice(0, i) + char + text.slice(i);
      return text.slice(0, i) + text.slice(i + 1);
    });

  it("gives what the layout and parseTimestamp give, on near misses and on any text", () => {
    fc.assert(
      fc.property(fc.oneof(edited, canonicalTime, nonCanonicalTime, fc.string()), (text) => {
        expect(parseCanonicalTimestamp(text)).toEqual(byDefinition(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("RFC 3339 in any spelling", () => {
  it.each([
    ["2026-09-03T16:22:05.640+02:00", "2026-09-03T14:22:05.640Z"],
    ["2026-09-03T09:22:05-05:00", "2026-09-03T14:22:05.000Z"],
    ["2026-09-03t14:22:05.5z", "2026-09-03T14:22:05.500Z"],
    ["2026-09-03 14:22:05Z", "2026-09-03T14:22:05.000Z"],
    ["2026-09-03T14:22:05.123456789123Z", "2026-09-03T14:22:05.123Z"],
  ])("%s", (text, iso) => {
    const timestamp = parseTimestamp(text);
    expect(timestamp && timestampToDate(timestamp)?.toISOString()).toBe(iso);
  });

  it.each(["2026-09-03T14:22:05", "2026-09-03T14:22:05+24:00", "2026-02-30T00:00:00Z", "yesterday"])(
    "%s is not a time",
    (text) => {
      expect(parseTimestamp(text)).toBeUndefined();
    },
  );
});
