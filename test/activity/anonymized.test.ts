import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isAnonymized } from "../../src/activity/anonymized.js";

const hmac = (key: Uint8Array, value: string) => createHmac("sha256", key).update(value).digest("base64");

describe("isAnonymized", () => {
  it("accepts every base64 HMAC-SHA256, whatever the key and input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.string(), (key, value) =>
        isAnonymized(hmac(key, value)),
      ),
    );
  });

  it("accepts the standard base64 of any 32 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) =>
        isAnonymized(Buffer.from(bytes).toString("base64")),
      ),
    );
  });

  it("refuses the base64 of any other length", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).filter((b) => b.length !== 32),
        (bytes) => !isAnonymized(Buffer.from(bytes).toString("base64")),
      ),
    );
  });

  const valid = hmac(Buffer.from("k"), "alice");
  it.each([
    ["a raw user name", "alice@acme.com"],
    ["an empty string", ""],
    ["no padding", valid.slice(0, 43)],
    ["an extra character", `${valid}=`],
    ["the URL-safe alphabet", `${"-".repeat(42)}A=`],
    ["a non-canonical last character", `${valid.slice(0, 42)}B=`],
    ["surrounding space", ` ${valid.slice(1)}`],
    ["hex of 32 bytes", "a".repeat(64)],
  ])("refuses %s", (_name, value) => {
    expect(isAnonymized(value)).toBe(false);
  });
});
