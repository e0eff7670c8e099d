import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ENCODED_STATUS_DETAILS, sendableDetails } from "../../src/grpc/status-details.js";
import { wellFormed } from "../../src/text/code-points.js";
import { hostileString } from "../text/unicode-arbitraries.js";

describe("sendableDetails", () => {
  it.each([
    ["cursor is not JSON", "cursor is not JSON"],
    ['shard "\ud800"', 'shard "\ufffd"'],
    ["", ""],
  ])("%j becomes %j", (input, expected) => {
    expect(sendableDetails(input)).toBe(expected);
  });

  it("turns what is not a string into an empty message", () => {
    expect(sendableDetails(undefined)).toBe("");
    expect(sendableDetails({ toString: () => "\ud800" })).toBe("");
  });

  it("cuts long details on a character boundary within the encoded bound", () => {
    const long = "é".repeat(5000);
    const result = sendableDetails(long);
    expect(result.endsWith("…")).toBe(true);
    expect(encodeURI(result).length).toBeLessThanOrEqual(MAX_ENCODED_STATUS_DETAILS);
    expect(encodeURI(result).length).toBeGreaterThan(MAX_ENCODED_STATUS_DETAILS - 20);
    const astral = sendableDetails("😀".repeat(1000));
    expect(astral).toMatch(/^(😀)+…$/u);
  });

  it("can always be percent-encoded, within the bound, and keeps what fits", () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileString(), hostileString({ minLength: 1000, maxLength: 3000 })),
        (details) => {
          const result = sendableDetails(details);
          const encoded = encodeURI(result);
          expect(encoded.length).toBeLessThanOrEqual(MAX_ENCODED_STATUS_DETAILS);
          const whole = wellFormed(details);
          if (encodeURI(whole).length <= MAX_ENCODED_STATUS_DETAILS) expect(result).toBe(whole);
          else expect(whole.startsWith(result.slice(0, -1))).toBe(true);
        },
      ),
    );
  });
});
