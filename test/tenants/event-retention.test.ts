import { describe, expect, it } from "vitest";
import { InvalidArgumentError, UnavailableError } from "../../src/errors/errors.js";
import { newRegistry } from "../../src/observability/metrics.js";
import type { ExpireResult } from "../../src/store/sink.js";
import { EVENT_RETENTION_DEFAULTS, runEventRetention } from "../../src/tenants/event-retention.js";
import { captureLogs } from "../support/log-capture.js";
import { VirtualClock } from "../support/virtual-clock.js";

const START = Date.UTC(2024, 5, 10, 12, 0, 0);
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A sink whose expireEvents answers from `answers` in turn (the last one repeating), recording calls. */
function fakeSink(answers: (ExpireResult | Error)[]) {
  const calls: Date[] = [];
  return {
    calls,
    expireEvents(before: Date): Promise<ExpireResult> {
      calls.push(before);
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

async function expiredTotal(registry: ReturnType<typeof newRegistry>): Promise<number> {
  const metric = await registry.getSingleMetric("tenant_events_tenants_expired_events_total")?.get();
  return metric?.values[0]?.value ?? Number.NaN;
}

describe("runEventRetention", () => {
  it("expires events older than the retention at start and then every interval, until aborted", async () => {
    const clock = new VirtualClock(START);
    const sink = fakeSink([
      { deleted: 5, deferred: false },
      { deleted: 0, deferred: false },
    ]);
    const registry = newRegistry();
    const logs = captureLogs("info");
    const stop = new AbortController();
    const running = runEventRetention(sink, { days: 30, clock, registry, logger: logs.logger }, stop.signal);
    await clock.advance(0);
    expect(sink.calls).toEqual([new Date(START - 30 * DAY)]);
    await clock.advance(EVENT_RETENTION_DEFAULTS.intervalMs - 1);
    expect(sink.calls).toHaveLength(1);
    await clock.advance(1);
    await clock.advance(EVENT_RETENTION_DEFAULTS.intervalMs);
    expect(sink.calls).toEqual([
      new Date(START - 30 * DAY),
      new Date(START + HOUR - 30 * DAY),
      new Date(START + 2 * HOUR - 30 * DAY),
    ]);
    expect(await expiredTotal(registry)).toBe(5);
    expect(logs.records.filter((r) => r.msg === "event retention: raw events expired")).toMatchObject([
      { deleted: 5, before: new Date(START - 30 * DAY).toISOString() },
      { deleted: 0 },
      { deleted: 0 },
    ]);
    stop.abort();
    await running;
    expect(clock.pending).toBe(0);
  });

  it("logs a deferred run and a failed one, and tries again at the next interval", async () => {
    const clock = new VirtualClock(START);
    const sink = fakeSink([
      { deleted: 0, deferred: true },
      new UnavailableError("lock timeout"),
      { deleted: 7, deferred: false },
    ]);
    const registry = newRegistry();
    const logs = captureLogs("info");
    const stop = new AbortController();
    const running = runEventRetention(
      sink,
      { days: 1, intervalMs: 60_000, clock, registry, logger: logs.logger },
      stop.signal,
    );
    await clock.advance(0);
    await clock.advance(60_000);
    await clock.advance(60_000);
    expect(sink.calls).toHaveLength(3);
    expect(logs.records.map((r) => r.msg)).toEqual([
      "event retention deferred: the daily activity rollup is still being built from the stored events",
      "event retention failed; trying again at the next interval",
      "event retention: raw events expired",
    ]);
    expect(await expiredTotal(registry)).toBe(7);
    stop.abort();
    await running;
  });

  it("starts the counter at 0", async () => {
    const registry = newRegistry();
    const stop = new AbortController();
    stop.abort();
    await runEventRetention(fakeSink([{ deleted: 0, deferred: false }]), { days: 1, registry }, stop.signal);
    expect(await expiredTotal(registry)).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses %s days", async (days) => {
    await expect(runEventRetention(fakeSink([]), { days }, new AbortController().signal)).rejects.toThrow(
      InvalidArgumentError,
    );
  });

  it.each([0, -5, Number.POSITIVE_INFINITY])("refuses an interval of %s ms", async (intervalMs) => {
    await expect(
      runEventRetention(fakeSink([]), { days: 1, intervalMs }, new AbortController().signal),
    ).rejects.toThrow(InvalidArgumentError);
  });
});
