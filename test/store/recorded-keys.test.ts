import { describe, expect, it } from "vitest";
import { RecordedKeys, rollupKey, utcDayStartMicros } from "../../src/store/recorded-keys.js";

const DAY = 86_400_000_000n;

describe("utcDayStartMicros", () => {
  it.each([
    [0n, 0n],
    [1n, 0n],
    [DAY - 1n, 0n],
    [DAY, DAY],
    [-1n, -DAY],
    [-DAY, -DAY],
    [-DAY - 1n, -2n * DAY],
    [BigInt(Date.parse("2024-02-29T23:59:59.999Z")) * 1000n + 999n, BigInt(Date.parse("2024-02-29")) * 1000n],
  ])("puts %s in the day starting at %s", (micros, start) => {
    expect(utcDayStartMicros(micros)).toBe(start);
  });
});

describe("RecordedKeys", () => {
  it("knows the keys added, and tells keys of different rows apart", () => {
    const keys = new RecordedKeys();
    const a = rollupKey("acme", 0n, 1, "ssh", "alice");
    keys.addAll([a]);
    expect(keys.has(a)).toBe(true);
    for (const other of [
      rollupKey("acme", DAY, 1, "ssh", "alice"),
      rollupKey("acme", 0n, 2, "ssh", "alice"),
      rollupKey("acme", 0n, 1, "", "alice"),
      rollupKey("beta", 0n, 1, "ssh", "alice"),
      // A separator inside a value must not make two rows one key.
      rollupKey("acme", 0n, 1, 'ssh","alice', ""),
    ]) {
      expect(keys.has(other)).toBe(false);
    }
  });

  it("keeps the keys added lately and forgets the oldest rather than grow past its limit", () => {
    const keys = new RecordedKeys(4);
    keys.addAll(["a", "b"]);
    keys.addAll(["c", "d"]);
    expect(["a", "b", "c", "d"].every((k) => keys.has(k))).toBe(true);
    keys.addAll(["e"]);
    expect(["a", "b"].some((k) => keys.has(k))).toBe(false);
    expect(["c", "d", "e"].every((k) => keys.has(k))).toBe(true);
    // A key known already does not count twice toward the limit.
    keys.addAll(["e", "e"]);
    expect(keys.has("c")).toBe(true);
  });
});
