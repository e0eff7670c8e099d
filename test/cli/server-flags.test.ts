import { describe, expect, it } from "vitest";
import { metricsFromFlags } from "../../src/cli/server-flags.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { newRegistry } from "../../src/observability/metrics.js";

describe("metricsFromFlags", () => {
  it.each(["127.0.0.1:0", "localhost:0", "[::1]:0", "127.3.2.1:9464"])("allows loopback %s", (address) => {
    expect(metricsFromFlags({ metricsListen: address })).toBeTypeOf("function");
  });

  it.each(["0.0.0.0:9464", "[::]:9464", "10.0.0.7:9464", "metrics.example:9464", "[::ffff:10.0.0.1]:1"])(
    "refuses %s beyond loopback without the opt-in, saying what metrics show and how to opt in",
    (address) => {
      for (const flags of [
        { metricsListen: address },
        { metricsListen: address, metricsListenPublic: false },
      ]) {
        expect(() => metricsFromFlags(flags)).toThrow(InvalidArgumentError);
        expect(() => metricsFromFlags(flags)).toThrow(/tenant ids .*--metrics-listen-public/);
      }
    },
  );

  it("serves beyond loopback with the opt-in", async () => {
    const start = metricsFromFlags({ metricsListen: "0.0.0.0:0", metricsListenPublic: true });
    const endpoint = await start(newRegistry());
    try {
      expect(endpoint.port).toBeGreaterThan(0);
      const response = await fetch(`http://127.0.0.1:${endpoint.port}/metrics`);
      expect(response.status).toBe(200);
    } finally {
      await endpoint.close();
    }
  });

  it("starts nothing without an address", async () => {
    const endpoint = await metricsFromFlags({})(newRegistry());
    expect(endpoint.port).toBeUndefined();
    await endpoint.close();
  });
});
