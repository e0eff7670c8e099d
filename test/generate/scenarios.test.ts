import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatEvent, parseEvent } from "../../src/events/codec.js";
import { getUser, isActive, userKind } from "../../src/events/active-user.js";
import { buildEstate } from "../../src/generate/estate.js";
import { buildPopulation } from "../../src/generate/population.js";
import { Prng } from "../../src/generate/prng.js";
import { SCENARIOS, scenarioNamed } from "../../src/generate/scenarios.js";

const setup = new Prng(77);
const population = buildPopulation(setup, { users: 40, months: 3, org: "acme" });
const clusters = buildEstate(setup, "acme", 2);
const START = Date.UTC(2026, 4, 10, 12);

describe("scenarios", () => {
  it("each produces exactly the asked number of events, in order, within its limit, that round-trip", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCENARIOS),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 4 * 3_600_000 }),
        fc.boolean(),
        (scenario, extra, seed, room, stretch) => {
          const prng = new Prng(seed);
          const actors = scenario.actor === "bot" ? population.bots : population.humans;
          const size = scenario.min + extra;
          const limit = START + room;
          const events = scenario.build({
            prng,
            actor: prng.pick(actors),
            cluster: prng.pick(clusters),
            start: START,
            limit,
            size,
            minDuration: stretch ? 3_600_000 : 0,
          });
          expect(events).toHaveLength(size);
          const times = events.map((e) => e.time);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          for (const { time, event } of events) {
            expect(time).toBeGreaterThanOrEqual(START);
            expect(time).toBeLessThanOrEqual(limit);
            expect(Date.parse(event["time"] as string)).toBe(time);
            const line = JSON.stringify(event);
            expect(formatEvent(parseEvent(line))).toBe(line);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("bot scenarios act as bots, human ones as humans", () => {
    for (const scenario of SCENARIOS) {
      const prng = new Prng(5);
      const actors = scenario.actor === "bot" ? population.bots : population.humans;
      const events = scenario.build({
        prng,
        actor: actors[0]!,
        cluster: clusters[0]!,
        start: START,
        limit: START + 86_400_000,
        size: 6,
        minDuration: 0,
      });
      for (const { event } of events) {
        const parsed = parseEvent(JSON.stringify(event));
        if (getUser(parsed) !== "") expect(userKind(parsed)).toBe(scenario.actor);
      }
    }
  });

  it("a login of two or more events is a login and its certificate, or a failed attempt first", () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed += 1) {
      const events = scenarioNamed("login").build({
        prng: new Prng(seed),
        actor: population.humans[seed % population.humans.length]!,
        cluster: clusters[0]!,
        start: START,
        limit: START + 86_400_000,
        size: 2,
        minDuration: 0,
      });
      const shape = events.map(
        ({ event }) => `${event["event"] as string}/${(event["code"] as string).slice(-1)}`,
      );
      seen.add(shape.join(" "));
      const parsed = events.map(({ event }) => parseEvent(JSON.stringify(event)));
      expect(parsed.some(isActive)).toBe(true);
    }
    expect(seen).toEqual(new Set(["user.login/I cert.create/I", "user.login/W user.login/I"]));
  });
});
