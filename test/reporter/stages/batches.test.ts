import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import type { Event } from "../../../src/gen/tenants/tenants.js";
import { buildActivityEvent } from "../../../src/reporter/activity-builder.js";
import { HmacAnonymizer } from "../../../src/reporter/anonymizer/hmac-anonymizer.js";
import { entryBytes, type Batch } from "../../../src/reporter/batcher.js";
import type { Consumed } from "../../../src/reporter/stages/activities.js";
import { BatchStage, type BatchStageOptions } from "../../../src/reporter/stages/batches.js";
import type { RefusalReason } from "../../../src/reporter/stages/refusals.js";
import { Channel } from "../../support/channel.js";
import { VirtualClock, settle } from "../../support/virtual-clock.js";
import { active } from "../support/fakes.js";

const anonymizer = new HmacAnonymizer(new TextEncoder().encode("tenant-key-0001"));

function event(i: number): Event {
  const built = buildActivityEvent(active(i), anonymizer, Date.parse("2026-09-02T00:00:00Z"));
  if (built === null) throw new Error("the fixture event makes nobody active");
  return built;
}

const activity = (i: number): Consumed => ({ kind: "activity", event: event(i), cursor: `c${i}` });
const filteredOut = (i: number): Consumed => ({ kind: "filtered", cursor: `c${i}` });

interface Harness {
  clock: VirtualClock;
  input: Channel<Consumed>;
  stage: BatchStage;
  /** Batches taken so far. */
  out: Batch[];
  refused: RefusalReason[];
  /** Takes every batch until the stage ends; rejects with its failure. */
  done: Promise<void>;
}

/** The stage's options in these tests: 3 events a batch, 5 s old at most, idle after 4 events or 60 s. */
function stageOptions(clock: VirtualClock, options: Partial<BatchStageOptions> = {}): BatchStageOptions {
  return {
    limits: { maxEvents: 3, maxBytes: 1 << 20, hardLimitBytes: 4 << 20 },
    batchInterval: 5_000,
    idleCheckpointEvents: 4,
    idleCheckpointInterval: 60_000,
    clock,
    onRefused: () => {},
    ...options,
  };
}

function harness(options: Partial<BatchStageOptions> = {}, position = ""): Harness {
  const clock = new VirtualClock(1_000);
  const input = new Channel<Consumed>();
  const refused: RefusalReason[] = [];
  const stage = new BatchStage(
    stageOptions(clock, { onRefused: (_err, reason) => refused.push(reason), ...options }),
    position,
  );
  const out: Batch[] = [];
  const done = (async () => {
    for await (const batch of stage.batches(input)) out.push(batch);
  })();
  return { clock, input, stage, out, refused, done };
}

const shape = (batches: Batch[]) =>
  batches.map((b) => ({ ids: b.events.map((e) => e.id), cursor: b.cursor }));

describe("BatchStage", () => {
  it("closes a batch at its event count and sends the rest at the end of the stream", async () => {
    const h = harness();
    h.input.push(activity(1), activity(2), activity(3), activity(4));
    await settle();
    expect(shape(h.out)).toEqual([{ ids: ["uid-1", "uid-2", "uid-3"], cursor: "c3" }]);
    expect(h.stage.pendingEvents).toBe(1);
    h.input.end();
    await h.done;
    expect(shape(h.out).at(-1)).toEqual({ ids: ["uid-4"], cursor: "c4" });
  });

  it("closes a batch before an event would take it past its byte limit", async () => {
    const h = harness({
      limits: { maxEvents: 100, maxBytes: entryBytes(event(1)) + 2, hardLimitBytes: 4 << 20 },
    });
    h.input.push(activity(1), activity(2));
    await settle();
    expect(shape(h.out)).toEqual([{ ids: ["uid-1"], cursor: "c1" }]);
    h.input.end();
    await h.done;
  });

  it("sends an open batch once its first event is batchInterval old, on the stage's clock", async () => {
    const h = harness();
    h.input.push(activity(1));
    await h.clock.advance(3_000);
    h.input.push(activity(2));
    await h.clock.advance(1_999);
    expect(h.out).toEqual([]);
    await h.clock.advance(1);
    expect(shape(h.out)).toEqual([{ ids: ["uid-1", "uid-2"], cursor: "c2" }]);
    expect(h.clock.pending).toBe(0);
    h.input.end();
    await h.done;
    expect(h.out).toHaveLength(1);
  });

  it("sends the position as an empty batch after a run of filtered-out events with no batch open", async () => {
    const h = harness();
    h.input.push(filteredOut(1), filteredOut(2), filteredOut(3));
    await settle();
    expect(h.out).toEqual([]);
    h.input.push(filteredOut(4));
    await settle();
    expect(h.out).toEqual([{ events: [], bytes: 0, cursor: "c4" }]);
    h.input.end();
    await h.done;
    expect(h.out).toHaveLength(1);
  });

  it("takes no idle checkpoint while a batch is open: the batch carries the position", async () => {
    const h = harness();
    h.input.push(activity(1), filteredOut(2), filteredOut(3), filteredOut(4), filteredOut(5), filteredOut(6));
    await settle();
    expect(h.out).toEqual([]);
    h.input.end();
    await h.done;
    expect(shape(h.out)).toEqual([{ ids: ["uid-1"], cursor: "c6" }]);
  });

  it("sends the position idleCheckpointInterval after the last batch, and nothing when it has not moved", async () => {
    const h = harness({ idleCheckpointEvents: 1_000 }, "c0");
    await h.clock.advance(120_000);
    expect(h.out).toEqual([]);
    expect(h.clock.pending).toBe(0);
    h.input.push(filteredOut(1));
    // The interval counts from the start (the last position sent), so it is already past.
    await h.clock.advance(0);
    expect(h.out).toEqual([{ events: [], bytes: 0, cursor: "c1" }]);
    h.input.push(filteredOut(2));
    await h.clock.advance(59_999);
    expect(h.out).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.out.at(-1)).toEqual({ events: [], bytes: 0, cursor: "c2" });
    h.input.end();
    await h.done;
    expect(h.out).toHaveLength(2);
  });

  it("moves the position on a checkpoint without counting it as a filtered-out event", async () => {
    const h = harness({ idleCheckpointEvents: 1 });
    h.input.push({ kind: "checkpoint", cursor: "c1" }, { kind: "checkpoint", cursor: "" });
    await settle();
    expect(h.out).toEqual([]);
    h.input.end();
    await h.done;
    expect(h.out).toEqual([{ events: [], bytes: 0, cursor: "c1" }]);
  });

  it("skips an event over the hard limit, telling onRefused, and moves past it", async () => {
    const big = { kind: "activity", event: { ...event(2), user: "x".repeat(5_000) }, cursor: "c2" } as const;
    const h = harness({ limits: { maxEvents: 3, maxBytes: 1_000, hardLimitBytes: 2_000 } });
    h.input.push(activity(1), big, activity(3));
    h.input.end();
    await h.done;
    expect(h.refused).toEqual(["oversize"]);
    expect(shape(h.out)).toEqual([{ ids: ["uid-1", "uid-3"], cursor: "c3" }]);
  });

  it("sends what is in hand when the stream fails, then the failure", async () => {
    const h = harness();
    const failure = new InvalidArgumentError("bad cursor");
    h.input.push(activity(1), filteredOut(2));
    await settle();
    h.input.fail(failure);
    await expect(h.done).rejects.toBe(failure);
    expect(shape(h.out)).toEqual([{ ids: ["uid-1"], cursor: "c2" }]);
  });

  it("rethrows a failure that is not a refusal of one event", async () => {
    const h = harness({
      onRefused: () => {
        throw new Error("unexpected");
      },
      limits: { maxEvents: 3, maxBytes: 10, hardLimitBytes: 20 },
    });
    h.input.push(activity(1));
    await expect(h.done).rejects.toThrow("unexpected");
  });

  it("pulls no further than it is asked, and stops its input when its consumer stops", async () => {
    const clock = new VirtualClock();
    const input = new Channel<Consumed>();
    const stage = new BatchStage(
      stageOptions(clock, { limits: { maxEvents: 1, maxBytes: 1 << 20, hardLimitBytes: 4 << 20 } }),
      "",
    );
    input.push(activity(1), activity(2), activity(3));
    const batches = stage.batches(input)[Symbol.asyncIterator]();
    const first = await batches.next();
    expect(first.done).toBe(false);
    expect((first.value as Batch).cursor).toBe("c1");
    await settle();
    expect(input.buffered).toBe(2);
    await batches.return?.(undefined);
    expect(input.returned).toBe(true);
    expect(clock.pending).toBe(0);
  });
});
