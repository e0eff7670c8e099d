import { describe, expect, it } from "vitest";
import { eventually } from "./eventually.js";
import { captureLogs } from "./log-capture.js";

describe("eventually", () => {
  it("resolves once the condition holds, sync or async", async () => {
    let polls = 0;
    await eventually(() => ++polls >= 3, "three polls", { interval: 1 });
    expect(polls).toBe(3);
    await eventually(() => Promise.resolve(true), "at once");
  });

  it("fails naming what never happened", async () => {
    await expect(eventually(() => false, "the sky falling", { interval: 1, within: 20 })).rejects.toThrow(
      "never happened: the sky falling",
    );
  });
});

describe("captureLogs", () => {
  it("keeps each record at or above its level, parsed and as text", () => {
    const { logger, records, text } = captureLogs("info");
    logger.debug("hidden");
    logger.warn({ shard: "a" }, "slow shard");
    expect(records).toEqual([expect.objectContaining({ level: 40, msg: "slow shard", shard: "a" })]);
    expect(text()).toContain('"msg":"slow shard"');
    expect(text()).not.toContain("hidden");
  });
});
