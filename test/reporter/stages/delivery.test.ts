import { describe, expect, it } from "vitest";
import { DataLossError, PermissionDeniedError, UnavailableError } from "../../../src/errors/errors.js";
import type { Event } from "../../../src/gen/tenants/tenants.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { newRegistry } from "../../../src/observability/metrics.js";
import type { Batch } from "../../../src/reporter/batcher.js";
import { CursorSaver } from "../../../src/reporter/cursor-saver.js";
import { reporterMetrics } from "../../../src/reporter/reporter-metrics.js";
import { Delivery, type DeliveryResult } from "../../../src/reporter/stages/delivery.js";
import { StreamLag } from "../../../src/reporter/stream-lag.js";
import { SubmissionHealth } from "../../../src/reporter/submission-health.js";
import { Channel } from "../../support/channel.js";
import { VirtualClock, settle } from "../../support/virtual-clock.js";
import { ManualSubmitter, MemoryCursorStore, type Timeline } from "../support/fakes.js";

function batch(first: number, last: number): Batch {
  const events: Event[] = [];
  for (let i = first; i <= last; i++) {
    events.push({
      id: `uid-${i}`,
      type: "session.start",
      user: "u",
      userKind: 1,
      protocol: "ssh",
      cluster: "c",
      sessionKind: "",
    });
  }
  return { events, bytes: 100 * events.length, cursor: `c${last}` };
}

const idle = (cursor: string): Batch => ({ events: [], bytes: 0, cursor });

function harness(options: { maxInFlightBatches?: number; shutdownTimeout?: number } = {}) {
  const timeline: Timeline = [];
  const clock = new VirtualClock();
  const submitter = new ManualSubmitter(timeline);
  const store = new MemoryCursorStore("", timeline);
  const registry = newRegistry();
  let streamStops = 0;
  const delivery = new Delivery({
    submitter,
    cursors: new CursorSaver(store, ""),
    retry: { initialDelay: 1, maxDelay: 2, multiplier: 2, jitter: 0.5 },
    maxInFlightBatches: options.maxInFlightBatches ?? 2,
    shutdownTimeout: options.shutdownTimeout ?? 10_000,
    clock,
    health: new SubmissionHealth(registry, silentLogger, 5),
    logger: silentLogger,
    metrics: reporterMetrics(registry, new StreamLag(Date.now)),
    stopStream: () => {
      streamStops++;
      input.end();
    },
  });
  const input = new Channel<Batch>();
  let inHand = 0;
  const run: Promise<DeliveryResult> = delivery.run(input, () => inHand);
  run.catch(() => {});
  return {
    timeline,
    clock,
    submitter,
    store,
    delivery,
    input,
    run,
    setInHand: (n: number) => (inHand = n),
    streamStops: () => streamStops,
  };
}

describe("Delivery", () => {
  it("keeps at most maxInFlightBatches out, pulling the next batch only when one is acknowledged", async () => {
    const h = harness({ maxInFlightBatches: 2 });
    h.input.push(batch(1, 2), batch(3, 4), batch(5, 6));
    await settle();
    expect(h.submitter.calls).toHaveLength(2);
    expect(h.input.buffered).toBe(0);
    h.submitter.calls[0]?.acknowledge();
    await settle();
    expect(h.submitter.calls).toHaveLength(3);
    h.submitter.calls[1]?.acknowledge();
    h.submitter.calls[2]?.acknowledge();
    h.input.end();
    await expect(h.run).resolves.toEqual({ eventsSubmitted: 6, batchesSubmitted: 3, eventsUndelivered: 0 });
  });

  it("saves a cursor only once its batch and every batch before it are acknowledged", async () => {
    const h = harness({ maxInFlightBatches: 3 });
    h.input.push(batch(1, 1), batch(2, 2), batch(3, 3));
    await settle();
    h.submitter.calls[2]?.acknowledge();
    h.submitter.calls[1]?.acknowledge();
    await settle();
    expect(h.store.saves).toEqual([]);
    h.submitter.calls[0]?.acknowledge();
    h.input.end();
    await h.run;
    expect(h.store.saves).toEqual(["c3"]);
  });

  it("saves an idle checkpoint at once with nothing out, else after the batches out are saved", async () => {
    const h = harness();
    h.input.push(idle("c1"));
    await settle();
    expect(h.store.saves).toEqual(["c1"]);
    h.input.push(batch(2, 2), idle("c3"), idle("c4"));
    await settle();
    expect(h.store.saves).toEqual(["c1"]);
    h.submitter.calls[0]?.acknowledge();
    h.input.end();
    await h.run;
    expect(h.store.saves).toEqual(["c1", "c2", "c4"]);
  });

  it("drops an idle checkpoint that a later batch carries past", async () => {
    const h = harness();
    h.input.push(batch(1, 1), idle("c2"), batch(3, 3));
    await settle();
    h.submitter.calls[0]?.acknowledge();
    await settle();
    expect(h.store.saves).toEqual(["c1"]);
    h.submitter.calls[1]?.acknowledge();
    h.input.end();
    await h.run;
    expect(h.store.saves).toEqual(["c1", "c3"]);
  });

  it("retries a later batch's retryable failure only once the batches before it are acknowledged", async () => {
    const h = harness();
    h.input.push(batch(1, 1), batch(2, 2));
    await settle();
    h.submitter.calls[1]?.refuse(new UnavailableError("busy"));
    await settle();
    expect(h.submitter.calls).toHaveLength(2);
    h.submitter.calls[0]?.acknowledge();
    await settle();
    expect(h.submitter.calls).toHaveLength(3);
    expect(h.submitter.calls[2]?.events.map((e) => e.id)).toEqual(["uid-2"]);
    h.submitter.calls[2]?.acknowledge();
    h.input.end();
    await h.run;
    expect(h.store.saves).toEqual(["c1", "c2"]);
  });

  it("stops at a non-retryable refusal: same kind, said plainly, the stream stopped, nothing past it saved", async () => {
    const h = harness();
    h.input.push(batch(1, 1), batch(2, 2), batch(3, 3));
    await settle();
    h.submitter.calls[0]?.refuse(new PermissionDeniedError("tenant disabled"));
    const error = await h.run.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as Error).message).toMatch(/refused a batch of 1 events: tenant disabled/);
    expect(h.streamStops()).toBeGreaterThan(0);
    expect(h.submitter.calls).toHaveLength(2);
    expect(h.store.saves).toEqual([]);
  });

  it("gives up the batches in hand shutdownTimeout after stop(), on its clock, counting what is undelivered", async () => {
    const h = harness({ shutdownTimeout: 10_000 });
    h.input.push(batch(1, 2), batch(3, 5));
    await settle();
    h.setInHand(4);
    h.delivery.stop();
    expect(h.streamStops()).toBe(1);
    await h.clock.advance(9_999);
    expect(h.submitter.calls.every((c) => !c.settled)).toBe(true);
    await h.clock.advance(1);
    await expect(h.run).resolves.toEqual({ eventsSubmitted: 0, batchesSubmitted: 0, eventsUndelivered: 9 });
    expect(h.store.saves).toEqual([]);
  });

  it("after the stream fails, delivers what it had, then throws the stream's failure", async () => {
    const h = harness();
    const failure = new DataLossError("trimmed");
    h.input.push(batch(1, 1));
    await settle();
    h.delivery.streamFailed(failure);
    h.input.fail(failure);
    await settle();
    h.submitter.calls[0]?.acknowledge();
    await expect(h.run).rejects.toBe(failure);
    expect(h.store.saves).toEqual(["c1"]);
    expect(h.clock.pending).toBe(0);
  });

  it("fails the run when a save fails, saving nothing after it", async () => {
    const h = harness();
    const crash = new Error("disk full");
    h.store.crashOnSave.push(crash);
    h.input.push(batch(1, 1), batch(2, 2));
    await settle();
    h.submitter.calls[0]?.acknowledge();
    await settle();
    h.submitter.calls[1]?.acknowledge();
    h.input.end();
    await expect(h.run).rejects.toBe(crash);
    expect(h.store.saves).toEqual([]);
  });
});
