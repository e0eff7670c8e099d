import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { botCount, buildPopulation } from "../../src/generate/population.js";
import { buildEstate } from "../../src/generate/estate.js";
import { Prng } from "../../src/generate/prng.js";

describe("buildPopulation", () => {
  it("has exactly the requested users, unique, humans and bots told apart", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 24 }), (users, months) => {
        const { humans, bots } = buildPopulation(new Prng(users), { users, months, org: "acme" });
        expect(humans.length + bots.length).toBe(users);
        expect(bots).toHaveLength(botCount(users));
        expect(new Set([...humans, ...bots].map((a) => a.name)).size).toBe(users);
        for (const bot of bots) {
          expect(bot.name).toBe(`bot-${bot.botName}`);
          expect(bot.userKind).toBe(2);
        }
        for (const human of humans) {
          expect(human.name.startsWith("bot-")).toBe(false);
          expect(human.userKind).toBe(1);
          expect(human.ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/);
        }
        for (const actor of [...humans, ...bots]) {
          expect(actor.firstMonth).toBeGreaterThanOrEqual(0);
          expect(actor.lastMonth).toBeLessThan(months);
          expect(actor.firstMonth).toBeLessThanOrEqual(actor.lastMonth);
        }
        // The busiest person is around every month, so no month is empty.
        expect(humans[0]?.firstMonth).toBe(0);
        expect(humans[0]?.lastMonth).toBe(months - 1);
      }),
      { numRuns: 60 },
    );
  });

  it("has no bots for a single user and at least one bot from two", () => {
    expect(botCount(1)).toBe(0);
    expect(botCount(2)).toBe(1);
    expect(botCount(160)).toBe(10);
  });

  it("spans from every month for the busiest to one month for the long tail", () => {
    const { humans } = buildPopulation(new Prng(3), { users: 500, months: 12, org: "acme" });
    const spans = humans.map((h) => h.lastMonth - h.firstMonth + 1);
    expect(spans.filter((s) => s === 12).length).toBeGreaterThan(humans.length * 0.1);
    expect(spans.filter((s) => s === 1).length).toBeGreaterThan(humans.length * 0.3);
    expect(humans[0]!.weight).toBeGreaterThan(100 * humans[humans.length - 1]!.weight);
  });
});

describe("buildEstate", () => {
  it("names the clusters after the organization and gives each every kind of resource", () => {
    const clusters = buildEstate(new Prng(1), "acme", 8);
    expect(clusters.map((c) => c.name)).toEqual([
      "acme-prod.teleport.sh",
      "acme-staging.teleport.sh",
      "acme-dev.teleport.sh",
      "acme-eu.teleport.sh",
      "acme-ci.teleport.sh",
      "acme-sandbox.teleport.sh",
      "acme-site7.teleport.sh",
      "acme-site8.teleport.sh",
    ]);
    for (const cluster of clusters) {
      expect(cluster.servers.length).toBeGreaterThan(0);
      expect(cluster.kube.length).toBeGreaterThan(0);
      expect(cluster.databases.length).toBeGreaterThan(0);
      expect(cluster.apps.length).toBeGreaterThan(0);
      expect(cluster.desktops.length).toBeGreaterThan(0);
      for (const server of cluster.servers) expect(server.addr).toMatch(/^10\.\d+\.\d+\.\d+:(22|3022)$/);
    }
  });
});
