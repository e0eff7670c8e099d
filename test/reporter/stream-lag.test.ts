import { describe, expect, it } from "vitest";
import { StreamLag } from "../../src/reporter/stream-lag.js";

function lagAt(start: number) {
  const clock = { now: start };
  const lag = new StreamLag(() => clock.now, 5_000);
  return { clock, lag };
}

describe("StreamLag", () => {
  it("is 0 before the first event", () => {
    const { lag } = lagAt(1_000_000);
    expect(lag.seconds()).toBe(0);
    lag.waiting();
    expect(lag.seconds()).toBe(0);
  });

  it("grows with the wall clock while a backlog is being read", () => {
    const { clock, lag } = lagAt(1_000_000);
    lag.waiting();
    lag.received(1_000_000 - 60_000);
    expect(lag.seconds()).toBe(60);
    clock.now += 2_000;
    expect(lag.seconds()).toBe(62);
    lag.waiting();
    clock.now += 1_000;
    expect(lag.seconds()).toBe(63);
  });

  it("drops to 0 once the stream has had nothing for the idle time, however old the last event", () => {
    const { clock, lag } = lagAt(10_000_000_000);
    lag.received(10_000_000_000 - 160_397_000);
    lag.waiting();
    clock.now += 4_999;
    expect(lag.seconds()).toBeCloseTo(160_402, 0);
    clock.now += 1;
    expect(lag.seconds()).toBe(0);
    clock.now += 86_400_000;
    expect(lag.seconds()).toBe(0);
  });

  it("measures again from the next event after an idle spell", () => {
    const { clock, lag } = lagAt(5_000_000);
    lag.received(4_000_000);
    lag.waiting();
    clock.now += 10_000;
    expect(lag.seconds()).toBe(0);
    lag.received(clock.now - 300);
    expect(lag.seconds()).toBeCloseTo(0.3, 5);
  });

  it("a checkpoint without an event ends the wait but keeps the last event's time", () => {
    const { clock, lag } = lagAt(2_000_000);
    lag.received(1_990_000);
    lag.waiting();
    clock.now += 4_000;
    lag.received();
    lag.waiting();
    clock.now += 4_000;
    expect(lag.seconds()).toBe(18);
  });

  it("never reports a negative lag for an event dated ahead of the clock", () => {
    const { lag } = lagAt(1_000);
    lag.received(61_000);
    expect(lag.seconds()).toBe(0);
  });
});
