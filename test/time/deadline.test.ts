import { describe, expect, it } from "vitest";
import { DEADLINE_PASSED, Deadline } from "../../src/time/deadline.js";
import { VirtualClock } from "../support/virtual-clock.js";

describe("Deadline", () => {
  it("gives the promise's value when it settles first, and its rejection", async () => {
    const clock = new VirtualClock();
    const deadline = new Deadline(clock);
    await expect(deadline.race(Promise.resolve(7), 100)).resolves.toBe(7);
    await expect(deadline.race(Promise.reject(new Error("boom")), 100)).rejects.toThrow("boom");
    await expect(deadline.race(Promise.resolve(8), undefined)).resolves.toBe(8);
  });

  it("gives DEADLINE_PASSED once the clock reaches the deadline, with one alarm for every race", async () => {
    const clock = new VirtualClock();
    const deadline = new Deadline(clock);
    for (let i = 0; i < 5; i++) await deadline.race(Promise.resolve(i), 100);
    expect(clock.pending).toBe(1);
    const never = new Promise<number>(() => {});
    const race = deadline.race(never, 100);
    await clock.advance(99);
    let outcome: unknown = "waiting";
    void race.then((v) => (outcome = v));
    await clock.advance(0);
    expect(outcome).toBe("waiting");
    await clock.advance(1);
    expect(outcome).toBe(DEADLINE_PASSED);
  });

  it("moves its alarm when the deadline moves, and none is left without a deadline", async () => {
    const clock = new VirtualClock();
    const deadline = new Deadline(clock);
    await deadline.race(Promise.resolve(0), 100);
    const race = deadline.race(new Promise<number>(() => {}), 500);
    expect(clock.pending).toBe(1);
    await clock.advance(100);
    let outcome: unknown = "waiting";
    void race.then((v) => (outcome = v));
    await clock.advance(0);
    expect(outcome).toBe("waiting");
    await clock.advance(400);
    expect(outcome).toBe(DEADLINE_PASSED);
    await deadline.race(Promise.resolve(1), undefined);
    expect(clock.pending).toBe(0);
  });

  it("reports a deadline that passed between races to the next race that still wants it", async () => {
    const clock = new VirtualClock();
    const deadline = new Deadline(clock);
    await deadline.race(Promise.resolve(0), 50);
    await clock.advance(60);
    await expect(deadline.race(new Promise<number>(() => {}), 50)).resolves.toBe(DEADLINE_PASSED);
    await expect(deadline.race(Promise.resolve(2), 50)).resolves.toBe(2);
  });

  it("forgets a deadline that passed between races once the deadline has moved", async () => {
    const clock = new VirtualClock();
    const deadline = new Deadline(clock);
    await deadline.race(Promise.resolve(0), 50);
    await clock.advance(60);
    await expect(deadline.race(Promise.resolve(3), 1_000)).resolves.toBe(3);
    deadline.clear();
    expect(clock.pending).toBe(0);
  });
});
