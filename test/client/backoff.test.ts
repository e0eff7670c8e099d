import { describe, expect, it } from "vitest";
import { DEFAULT_RECONNECT, resolveReconnect } from "../../src/client/backoff.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";

describe("reconnect backoff", () => {
  it("defaults to 100 ms doubling up to 5 s, retrying forever", () => {
    expect(resolveReconnect()).toEqual({
      initialDelay: 100,
      maxDelay: 5_000,
      multiplier: 2,
      jitter: 0.5,
      maxAttempts: Infinity,
      giveUpAfter: Infinity,
    });
    expect(resolveReconnect({ maxDelay: 300, maxAttempts: 3 })).toEqual({
      ...DEFAULT_RECONNECT,
      maxDelay: 300,
      maxAttempts: 3,
    });
  });

  it.each([
    [{ initialDelay: 0 }, "initialDelay"],
    [{ maxAttempts: 0 }, "maxAttempts"],
    [{ giveUpAfter: -1 }, "giveUpAfter"],
  ])("refuses %o", (options, message) => {
    expect(() => resolveReconnect(options)).toThrow(InvalidArgumentError);
    expect(() => resolveReconnect(options)).toThrow(message);
  });
});
