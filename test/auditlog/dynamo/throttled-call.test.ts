import { describe, expect, it } from "vitest";
import { dynamoMetrics } from "../../../src/auditlog/dynamo/metrics.js";
import { ThrottledError } from "../../../src/auditlog/dynamo/streams-errors.js";
import {
  Aborted,
  DYNAMO_THROTTLE_BACKOFF,
  DYNAMO_UNAVAILABLE_ATTEMPTS,
  throttledCall,
  type ThrottledCallConfig,
} from "../../../src/auditlog/dynamo/throttled-call.js";
import { InvalidArgumentError, UnavailableError } from "../../../src/errors/errors.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { newRegistry } from "../../../src/observability/metrics.js";
import { VirtualClock } from "./stream-simulator.js";

function config(clock = new VirtualClock()): ThrottledCallConfig {
  return {
    table: "t",
    backoff: DYNAMO_THROTTLE_BACKOFF,
    clock,
    random: () => 0.5,
    logger: silentLogger,
    metrics: dynamoMetrics(newRegistry()),
  };
}

/** A request failing with each of `failures` in turn, then answering "ok". */
function failing(failures: Error[]) {
  let calls = 0;
  const request = () => {
    const failure = failures[calls++];
    return failure === undefined ? Promise.resolve("ok") : Promise.reject(failure);
  };
  return { request, calls: () => calls };
}

const NEVER = new AbortController().signal;

describe("throttledCall", () => {
  it("retries a throttled request for as long as it takes, after growing pauses, and counts each throttle", async () => {
    const clock = new VirtualClock();
    const cfg = config(clock);
    const { request, calls } = failing(Array.from({ length: 12 }, () => new ThrottledError("slow down")));
    const start = clock.now();
    await expect(throttledCall(cfg, NEVER, "GetRecords", request)).resolves.toBe("ok");
    expect(calls()).toBe(13);
    // Half of each ceiling (random 0.5): 50, 100, 200, ... capped at 5 s.
    const expected = [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000, 10_000, 10_000]
      .map((ceiling) => ceiling / 2)
      .reduce((a, b) => a + b, 0);
    expect(clock.now() - start).toBe(expected);
    const counted = await cfg.metrics.throttles.get();
    expect(counted.values.find((v) => v.labels.operation === "GetRecords")?.value).toBe(12);
  });

  it(`gives a service or network failure ${DYNAMO_UNAVAILABLE_ATTEMPTS} attempts in a row`, async () => {
    const twice = failing([new UnavailableError("a"), new UnavailableError("b")]);
    await expect(throttledCall(config(), NEVER, "DescribeStream", twice.request)).resolves.toBe("ok");
    const always = failing(Array.from({ length: 10 }, (_, i) => new UnavailableError(`down ${i}`)));
    await expect(throttledCall(config(), NEVER, "DescribeStream", always.request)).rejects.toThrow("down 2");
    expect(always.calls()).toBe(DYNAMO_UNAVAILABLE_ATTEMPTS);
    // A throttle between them starts the count again.
    const mixed = failing([
      new UnavailableError("a"),
      new UnavailableError("b"),
      new ThrottledError("slow"),
      new UnavailableError("c"),
      new UnavailableError("d"),
    ]);
    await expect(throttledCall(config(), NEVER, "DescribeStream", mixed.request)).resolves.toBe("ok");
  });

  it("does not retry any other failure", async () => {
    const bad = failing([new InvalidArgumentError("no such sequence number")]);
    await expect(throttledCall(config(), NEVER, "GetShardIterator", bad.request)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(bad.calls()).toBe(1);
  });

  it("ends with Aborted once the signal aborts, during a pause or before a call", async () => {
    const controller = new AbortController();
    controller.abort();
    const never = failing([]);
    await expect(
      throttledCall(config(), controller.signal, "GetRecords", never.request),
    ).rejects.toBeInstanceOf(Aborted);
    expect(never.calls()).toBe(0);
    const later = new AbortController();
    const throttled = failing([new ThrottledError("slow")]);
    const call = throttledCall(config(), later.signal, "GetRecords", () => {
      later.abort();
      return throttled.request();
    });
    await expect(call).rejects.toBeInstanceOf(Aborted);
  });
});
