import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import {
  assertListenAllowed,
  formatListenAddress,
  isLoopbackHost,
  parseListenAddress,
} from "../../src/grpc/listen-address.js";

describe("parseListenAddress", () => {
  it.each([
    ["127.0.0.1:50051", "127.0.0.1", 50051],
    ["localhost:0", "localhost", 0],
    ["0.0.0.0:443", "0.0.0.0", 443],
    ["[::1]:50051", "::1", 50051],
    ["[::]:8080", "::", 8080],
    ["[2001:db8::7]:65535", "2001:db8::7", 65535],
    ["events.example.com:50051", "events.example.com", 50051],
  ])("parses %s", (text, host, port) => {
    expect(parseListenAddress(text)).toEqual({ host, port });
  });

  it.each([
    ["50051", "is not HOST:PORT"],
    [":50051", "has no host"],
    ["::1:50051", "is not HOST:PORT"],
    ["[::1]", "is not HOST:PORT"],
    ["[not-v6]:1", "is not an IPv6 address"],
    ["127.0.0.1:65536", "above 65535"],
    ["127.0.0.1:port", "is not HOST:PORT"],
    ["host name:1", "is not a host name"],
    ["127.0.0.1:123456", "is not HOST:PORT"],
  ])("refuses %s", (text, message) => {
    expect(() => parseListenAddress(text)).toThrow(InvalidArgumentError);
    expect(() => parseListenAddress(text)).toThrow(message);
  });

  it("formats what it parses back to the same text", () => {
    const host = fc.oneof(
      fc.ipV4(),
      fc.ipV6().map((v6) => `[${v6}]`),
      fc.domain(),
    );
    fc.assert(
      fc.property(host, fc.integer({ min: 0, max: 65535 }), (h, port) => {
        const text = `${h}:${port}`;
        expect(formatListenAddress(parseListenAddress(text))).toBe(text);
      }),
    );
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["localhost", true],
    ["LOCALHOST", true],
    ["127.0.0.1", true],
    ["127.255.3.4", true],
    ["::1", true],
    ["0:0:0:0:0:0:0:1", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.1", false],
    ["128.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["events.example.com", false],
    ["localhost.example.com", false],
  ])("%s → %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe("assertListenAllowed", () => {
  const wide = parseListenAddress("0.0.0.0:50051");

  it("allows loopback without protection", () => {
    for (const text of ["127.0.0.1:1", "[::1]:1", "localhost:1"]) {
      expect(() =>
        assertListenAllowed(parseListenAddress(text), { tls: false, authenticated: false }),
      ).not.toThrow();
    }
  });

  it("allows beyond loopback only with both TLS and authentication", () => {
    expect(() => assertListenAllowed(wide, { tls: true, authenticated: true })).not.toThrow();
  });

  it.each([
    [{ tls: false, authenticated: false }, "without TLS and authentication"],
    [{ tls: true, authenticated: false }, "without authentication"],
    [{ tls: false, authenticated: true }, "without TLS:"],
  ])("refuses beyond loopback with %o, naming what is missing", (protection, message) => {
    expect(() => assertListenAllowed(wide, protection)).toThrow(InvalidArgumentError);
    expect(() => assertListenAllowed(wide, protection)).toThrow(
      `refusing to listen on 0.0.0.0:50051 ${message}`,
    );
  });
});
