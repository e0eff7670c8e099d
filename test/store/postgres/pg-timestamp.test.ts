import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS } from "../../../src/activity/time-bounds.js";
import { timestamptzText } from "../../../src/store/postgres/pg-timestamp.js";

describe("timestamptzText", () => {
  it.each([
    [0n, "1970-01-01T00:00:00.000000Z"],
    [-1n, "1969-12-31T23:59:59.999999Z"],
    [1_709_632_800_123_456n, "2024-03-05T10:00:00.123456Z"],
    [TIMESTAMP_MIN_SECONDS * 1_000_000n, "0001-01-01T00:00:00.000000Z"],
    [TIMESTAMP_MAX_SECONDS * 1_000_000n + 999_999n, "9999-12-31T23:59:59.999999Z"],
  ])("writes %d µs as %s", (micros, text) => {
    expect(timestamptzText(micros)).toBe(text);
  });

  it("keeps every microsecond: the text reads back as the same instant", () => {
    fc.assert(
      fc.property(
        fc.bigInt(TIMESTAMP_MIN_SECONDS * 1_000_000n, TIMESTAMP_MAX_SECONDS * 1_000_000n + 999_999n),
        (micros) => {
          const text = timestamptzText(micros);
          expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
          const millis = BigInt(Date.parse(`${text.slice(0, 23)}Z`));
          expect(millis * 1000n + BigInt(text.slice(23, 26))).toBe(micros);
        },
      ),
    );
  });
});
