import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { TENANT_ID_PATTERN, validateTenantId } from "../../src/activity/tenant-id.js";

describe("validateTenantId", () => {
  it.each(["acme", "globex-eu", "tenant_01", "a", "a-b_c", "9lives", "x".repeat(63)])("accepts %s", (id) => {
    expect(validateTenantId(id)).toBe(id);
  });

  it.each([
    "",
    "x".repeat(64),
    "Acme",
    "a.b",
    "acme' OR '1'='1",
    "acme'; DROP TABLE events; --",
    'acme" OR "1"="1',
    "acme\\'",
    "acme\u0000",
    "acme\n",
    "acme ",
    " acme",
    "-acme",
    ".acme",
    "acme/*",
    "ac%me",
    "ácme",
    "acme\u2019",
  ])("refuses %j", (id) => {
    expect(() => validateTenantId(id)).toThrow(InvalidArgumentError);
  });

  it("never lets through a character that could end a SQL literal or identifier", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (id) => {
        if (TENANT_ID_PATTERN.test(id)) {
          expect([...id].every((c) => c > " " && !`'"\\;/*`.includes(c))).toBe(true);
          expect(validateTenantId(id)).toBe(id);
        } else {
          expect(() => validateTenantId(id)).toThrow(InvalidArgumentError);
        }
      }),
    );
  });
});
