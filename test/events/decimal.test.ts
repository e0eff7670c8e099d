import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalEquals, decimalToBigInt, toExactDouble } from "../../src/events/decimal.js";
import { numberText } from "./support/event-arbitraries.js";
import { normalizeNumber } from "./support/json-equality.js";

describe("decimal text", () => {
  it.each([
    ["1.50", "15e-1", true],
    ["-0", "0", true],
    ["0.0", "0e10", true],
    ["100", "1E+2", true],
    ["1", "1.0000000000000000001", false],
    ["-1", "1", false],
    ["1e400", "1e400", true],
  ])("%s = %s: %s", (a, b, equal) => {
    expect(decimalEquals(a, b)).toBe(equal);
  });

  it("agrees with an independent normalization", () => {
    fc.assert(
      fc.property(numberText, numberText, (a, b) => {
        expect(decimalEquals(a, b)).toBe(normalizeNumber(a) === normalizeNumber(b));
        expect(decimalEquals(a, a)).toBe(true);
      }),
    );
  });

  it.each([
    ["0.1", 0.1],
    ["1.5", 1.5],
    ["-0", -0],
    ["5e-324", 5e-324],
    ["9007199254740992", 9007199254740992],
    ["9007199254740993", undefined],
    ["0.1000000000000000055511151231257827", undefined],
    ["1e400", undefined],
    ["1e-400", undefined],
  ])("%s as a double: %s", (text, double) => {
    expect(toExactDouble(text)).toBe(double);
  });

  it.each([
    ["18446744073709551615", 18446744073709551615n],
    ["-9223372036854775808", -9223372036854775808n],
    ["1.5e1", 15n],
    ["1500e-2", 15n],
    ["-0.0", 0n],
    ["1.5", undefined],
    ["1e100", undefined],
  ])("%s as an integer: %s", (text, integer) => {
    expect(decimalToBigInt(text)).toBe(integer);
  });

  it("reads every integer back, however it is spelled", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat({ max: 5 }), (n, zeros) => {
        expect(decimalToBigInt(n.toString())).toBe(n);
        expect(decimalToBigInt(`${n}${"0".repeat(zeros)}e-${zeros}`)).toBe(n);
      }),
    );
  });
});
