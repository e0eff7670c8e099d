import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import { HmacAnonymizer } from "../../../src/reporter/anonymizer/hmac-anonymizer.js";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// Computed independently with `printf '%s' VALUE | openssl dgst -sha256 -hmac KEY -binary | base64`.
const vectors: { key: Uint8Array; value: string; token: string }[] = [
  // RFC 4231 test case 2.
  {
    key: utf8("Jefe"),
    value: "what do ya want for nothing?",
    token: "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=",
  },
  {
    key: utf8("tenant-key-0001"),
    value: "alice@acme.com",
    token: "ar7mM4IXBXuvpiTWrz/R46WyZpJvHAvt4Sy/0AO/0/s=",
  },
  {
    key: utf8("tenant-key-0001"),
    value: "acme-prod.teleport.sh",
    token: "dMqWD+41xmUr6kp0dYp8/nAhbu3Vwu/QQKbgUhHMEAo=",
  },
  { key: utf8("tenant-key-0001"), value: "", token: "L/i+jqA/Cc4w294UmbF1Pm+PdYcPa42OdQyqXdmoOTs=" },
  {
    key: utf8("tenant-key-0001"),
    value: "bot-ci-deployer",
    token: "LuTxOmBKiokSynbkSARSIcAyTh3n1W886Ku9Txbjj7w=",
  },
  { key: utf8("tenant-key-0001"), value: "ünïcødé", token: "wAEB2XNfkg4xS2WYVZQ9oZmDGtjWf46rmwOYpiLAs98=" },
  // Binary key (openssl -macopt hexkey:00ff10).
  {
    key: Uint8Array.from([0x00, 0xff, 0x10]),
    value: "alice@acme.com",
    token: "3gsJneXcr/taJjb/eYpUQhw4lcnrnDBwnMfJEkLdKqM=",
  },
];

describe("HmacAnonymizer", () => {
  it.each(vectors)("matches the known answer for $value", ({ key, value, token }) => {
    expect(new HmacAnonymizer(key).anonymize(value)).toBe(token);
  });

  it("refuses an empty key with a clear error", () => {
    expect(() => new HmacAnonymizer(new Uint8Array())).toThrow(InvalidArgumentError);
    expect(() => new HmacAnonymizer(new Uint8Array())).toThrow(/anonymization key is empty/);
  });

  it("does not keep a reference to the caller's key buffer", () => {
    const key = utf8("tenant-key-0001");
    const anonymizer = new HmacAnonymizer(key);
    key.fill(0);
    expect(anonymizer.anonymize("alice@acme.com")).toBe("ar7mM4IXBXuvpiTWrz/R46WyZpJvHAvt4Sy/0AO/0/s=");
  });

  it("always yields 44 characters of padded standard base64, stable per input", () => {
    const anonymizer = new HmacAnonymizer(utf8("k"));
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (value) => {
        const token = anonymizer.anonymize(value);
        expect(token).toMatch(/^[A-Za-z0-9+/]{43}=$/);
        expect(anonymizer.anonymize(value)).toBe(token);
      }),
    );
  });

  it("gives different tokens under different keys", () => {
    // Keys of one length up to the block size: HMAC zero-pads shorter keys, so [1] and [1, 0] are one key.
    const keyPair = fc
      .integer({ min: 1, max: 64 })
      .chain((n) =>
        fc.tuple(
          fc.uint8Array({ minLength: n, maxLength: n }),
          fc.uint8Array({ minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(keyPair, fc.string(), ([a, b], v) => {
        fc.pre(Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0);
        expect(new HmacAnonymizer(a).anonymize(v)).not.toBe(new HmacAnonymizer(b).anonymize(v));
      }),
    );
  });
});
