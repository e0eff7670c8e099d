import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, PermissionDeniedError, UnavailableError } from "../../src/errors/errors.js";
import type { StreamEvent } from "../../src/gen/auth/auth.js";
import type { Event, SubmitEventsResponse } from "../../src/gen/tenants/tenants.js";
import { HmacAnonymizer } from "../../src/reporter/anonymizer/hmac-anonymizer.js";
import type { CursorStore } from "../../src/reporter/cursor-store/cursor-store.js";
import { Reporter, type ReporterOptions } from "../../src/reporter/reporter.js";
import type { Submitter } from "../../src/reporter/submitter/submitter.js";
import {
  FakeEventSource,
  FakeSubmitter,
  ManualSubmitter,
  MemoryCursorStore,
  active,
  filtered,
  scripted,
  type Timeline,
} from "./support/fakes.js";
import { eventually } from "../support/eventually.js";

const anonymizer = new HmacAnonymizer(new TextEncoder().encode("tenant-key-0001"));
const never = new AbortController().signal;
const ids = (batches: Event[][]): string[][] => batches.map((b) => b.map((e) => e.id));

function reporter(
  source: FakeEventSource,
  submitter: Submitter,
  store: CursorStore,
  options: Partial<ReporterOptions> = {},
): Reporter {
  return new Reporter({
    source,
    submitter,
    cursorStore: store,
    anonymizer,
    retry: { initialDelay: 1, maxDelay: 2 },
    untilCaughtUp: true,
    batchSize: 2,
    ...options,
  });
}

function setup(script: StreamEvent[], saved = "") {
  const timeline: Timeline = [];
  const source = new FakeEventSource(script);
  const submitter = new ManualSubmitter(timeline);
  const store = new MemoryCursorStore(saved, timeline);
  return {
    timeline,
    source,
    submitter,
    store,
    reporter: (options: Partial<ReporterOptions> = {}) => reporter(source, submitter, store, options),
  };
}

/** Lets every pending callback and timer run, so that whatever can happen next has happened. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

const call = (s: { submitter: ManualSubmitter }, i: number) => {
  const held = s.submitter.calls[i];
  if (held === undefined) throw new Error(`no call ${i}`);
  return held;
};

describe("Reporter with several batches in flight", () => {
  it("keeps reading and submits the next batch while the first is unacknowledged", async () => {
    const s = setup(scripted([1, 2, 3, 4, 5].map((i) => active(i))));
    const run = s.reporter({ maxInFlightBatches: 2 }).run(never);
    await eventually(() => s.submitter.calls.length === 2, "the second batch is submitted");
    expect(ids(s.submitter.calls.map((c) => c.events))).toEqual([
      ["uid-1", "uid-2"],
      ["uid-3", "uid-4"],
    ]);
    expect(s.store.saves).toEqual([]);
    call(s, 0).acknowledge();
    call(s, 1).acknowledge();
    await eventually(() => s.submitter.calls.length === 3, "the last batch is submitted");
    call(s, 2).acknowledge();
    await run;
    expect(s.store.cursor).toBe("c5");
  });

  it("fills the next batch while one is in flight with maxInFlightBatches 1, and submits it after the acknowledgement", async () => {
    const s = setup(scripted([1, 2, 3, 4, 5, 6].map((i) => active(i))));
    const run = s.reporter({ maxInFlightBatches: 1 }).run(never);
    await eventually(() => s.source.yielded === 4, "the second batch is read");
    await settle();
    expect(s.submitter.calls).toHaveLength(1);
    expect(s.source.yielded).toBe(4);
    call(s, 0).acknowledge();
    await eventually(() => s.submitter.calls.length === 2, "the second batch is submitted");
    call(s, 1).acknowledge();
    await eventually(() => s.submitter.calls.length === 3, "the third batch is submitted");
    call(s, 2).acknowledge();
    await run;
    expect(s.timeline.filter((t) => !t.startsWith("save"))).toEqual([
      "submit uid-1..uid-2",
      "ack uid-1..uid-2",
      "submit uid-3..uid-4",
      "ack uid-3..uid-4",
      "submit uid-5..uid-6",
      "ack uid-5..uid-6",
    ]);
    expect(s.store.cursor).toBe("c6");
  });

  it("stops reading while the window is full and goes on once a batch is acknowledged", async () => {
    const s = setup(scripted([1, 2, 3, 4, 5, 6, 7, 8].map((i) => active(i))));
    const run = s.reporter({ maxInFlightBatches: 2 }).run(never);
    // Two batches out, the third closed and waiting for room: nothing further is read.
    await eventually(() => s.source.yielded === 6, "the third batch is read");
    await settle();
    expect(s.submitter.calls).toHaveLength(2);
    expect(s.source.yielded).toBe(6);
    call(s, 1).acknowledge();
    await settle();
    expect(s.submitter.calls).toHaveLength(2);
    expect(s.source.yielded).toBe(6);
    call(s, 0).acknowledge();
    await eventually(() => s.submitter.calls.length === 4, "reading goes on: two more batches out");
    expect(s.source.yielded).toBe(8);
    call(s, 3).acknowledge();
    call(s, 2).acknowledge();
    await run;
    expect(s.store.cursor).toBe("c8");
  });

  it("never saves a cursor past an unacknowledged batch, whatever order the acknowledgements come in", async () => {
    const s = setup(scripted([1, 2, 3, 4, 5, 6].map((i) => active(i))));
    const run = s.reporter({ maxInFlightBatches: 3 }).run(never);
    await eventually(() => s.submitter.calls.length === 3, "three batches out");
    call(s, 2).acknowledge();
    call(s, 1).acknowledge();
    await settle();
    expect(s.store.saves).toEqual([]);
    call(s, 0).acknowledge();
    await run;
    // The three acknowledgements make one checkpoint: the last batch's.
    expect(s.store.saves).toEqual(["c6"]);
  });

  it("checkpoints each batch in order once its predecessors are acknowledged", async () => {
    const s = setup(scripted([1, 2, 3, 4, 5, 6].map((i) => active(i))));
    const run = s.reporter({ maxInFlightBatches: 3 }).run(never);
    await eventually(() => s.submitter.calls.length === 3, "three batches out");
    call(s, 1).acknowledge();
    call(s, 0).acknowledge();
    await eventually(() => s.store.cursor === "c4", "the second batch's checkpoint");
    call(s, 2).acknowledge();
    await run;
    expect(s.store.saves).toEqual(["c4", "c6"]);
  });

  it("takes no idle checkpoint past a batch in flight", async () => {
    const s = setup(scripted([active(1), filtered(2), filtered(3), filtered(4), filtered(5)]));
    const run = s.reporter({ batchSize: 1, idleCheckpointEvents: 2 }).run(never);
    await eventually(() => s.source.yielded === 5, "everything read");
    await settle();
    expect(s.store.saves).toEqual([]);
    call(s, 0).acknowledge();
    await run;
    expect(s.store.saves).toEqual(["c1", "c5"]);
  });

  it("takes the idle checkpoint by interval once the batch in flight is acknowledged on a quiet stream", async () => {
    const s = setup(scripted([active(1), filtered(2)]));
    const controller = new AbortController();
    const run = s
      .reporter({ batchSize: 1, untilCaughtUp: false, idleCheckpointInterval: 20 })
      .run(controller.signal);
    await eventually(() => s.source.waiting, "everything read");
    call(s, 0).acknowledge();
    await eventually(() => s.store.cursor === "c2", "the idle checkpoint");
    controller.abort();
    await run;
    expect(s.store.saves).toEqual(["c1", "c2"]);
  });

  it.each([
    ["before", true],
    ["after", false],
  ])(
    "stops on a refusal of batch N with N+1 acknowledged %s it, the cursor at N-1's",
    async (_when, nextFirst) => {
      const s = setup(scripted([1, 2, 3, 4, 5, 6, 7, 8].map((i) => active(i))));
      const run = s.reporter({ maxInFlightBatches: 2 }).run(never);
      await eventually(() => s.submitter.calls.length === 2, "two batches out");
      call(s, 0).acknowledge();
      await eventually(() => s.submitter.calls.length === 3, "batches 2 and 3 out");
      await eventually(() => s.store.cursor === "c2", "batch 1 checkpointed");
      if (nextFirst) call(s, 2).acknowledge();
      call(s, 1).refuse(new PermissionDeniedError("the bearer token is not valid"));
      if (!nextFirst) call(s, 2).acknowledge();
      await expect(run).rejects.toThrow(/the tenants service refused a batch of 2 events/);
      await expect(run).rejects.toBeInstanceOf(PermissionDeniedError);
      expect(s.store.saves).toEqual(["c2"]);
      expect(s.submitter.calls).toHaveLength(3);
      expect(s.submitter.calls.every((c) => c.settled)).toBe(true);
    },
  );

  it("on a refusal, cancels the batch still in flight and reads no further", async () => {
    const s = setup(scripted([1, 2, 3, 4, 5, 6, 7, 8].map((i) => active(i))));
    const run = s.reporter({ maxInFlightBatches: 2 }).run(never);
    await eventually(() => s.submitter.calls.length === 2, "two batches out");
    call(s, 0).refuse(new PermissionDeniedError("the bearer token is not valid"));
    await expect(run).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(call(s, 1).settled).toBe(true);
    expect(s.submitter.calls).toHaveLength(2);
    expect(s.store.saves).toEqual([]);
  });

  it("on abort, delivers every batch in flight and the open one within shutdownTimeout", async () => {
    const s = setup(scripted([1, 2, 3, 4, 5].map((i) => active(i))));
    const controller = new AbortController();
    const run = s
      .reporter({ maxInFlightBatches: 2, untilCaughtUp: false, batchInterval: 3_600_000 })
      .run(controller.signal);
    await eventually(() => s.source.waiting, "everything read");
    controller.abort();
    call(s, 1).acknowledge();
    call(s, 0).acknowledge();
    await eventually(() => s.submitter.calls.length === 3, "the open batch is submitted");
    call(s, 2).acknowledge();
    const result = await run;
    expect(result).toMatchObject({ cursor: "c5", eventsSubmitted: 5, eventsUndelivered: 0 });
  });

  it("on abort, counts the events of every unacknowledged batch when shutdownTimeout runs out", async () => {
    const s = setup(scripted([1, 2, 3, 4, 5].map((i) => active(i))));
    const controller = new AbortController();
    const run = s
      .reporter({ maxInFlightBatches: 2, untilCaughtUp: false, shutdownTimeout: 50 })
      .run(controller.signal);
    await eventually(() => s.source.waiting, "everything read");
    call(s, 1).acknowledge();
    controller.abort();
    const result = await run;
    expect(result).toMatchObject({ cursor: "", eventsSubmitted: 2, eventsUndelivered: 3 });
    expect(s.store.saves).toEqual([]);
  });

  it("in an outage, only the oldest batch retries with backoff; the next one retries once it is acknowledged", async () => {
    const timeline: Timeline = [];
    const source = new FakeEventSource(scripted([1, 2, 3, 4].map((i) => active(i))));
    const submitter = new FakeSubmitter(timeline);
    const down = () => new UnavailableError("down");
    submitter.failures.push(down(), down(), down(), down(), down());
    const store = new MemoryCursorStore("", timeline);
    await reporter(source, submitter, store, { maxInFlightBatches: 2 }).run(never);
    const firsts = submitter.requests.map((events) => events[0]?.id);
    expect(firsts.filter((id) => id === "uid-3")).toHaveLength(2);
    expect(firsts.filter((id) => id === "uid-1")).toHaveLength(5);
    // The second batch's retry comes after the first batch's acknowledgement.
    expect(firsts.at(-1)).toBe("uid-3");
    expect(ids(submitter.acknowledged)).toEqual([
      ["uid-1", "uid-2"],
      ["uid-3", "uid-4"],
    ]);
    expect(store.cursor).toBe("c4");
  });

  it("refuses maxInFlightBatches below 1", () => {
    const s = setup([]);
    expect(() => s.reporter({ maxInFlightBatches: 0 })).toThrow(InvalidArgumentError);
    expect(() => s.reporter({ maxInFlightBatches: 0 })).toThrow(
      /maxInFlightBatches must be a positive integer/,
    );
  });

  it("saves at every point only cursors whose events before them are all acknowledged (any order of answers)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        async (scheduler, activeness, batchSize, maxInFlightBatches) => {
          const script = scripted(
            activeness.map((isActive, i) => (isActive ? active(i + 1) : filtered(i + 1))),
          );
          const acknowledged = new Set<string>();
          const submitter: Submitter = {
            submitEvents: (events): Promise<SubmitEventsResponse> =>
              scheduler.schedule(Promise.resolve({ accepted: events.length })).then((response) => {
                for (const e of events) acknowledged.add(e.id);
                return response;
              }),
            submitUsageReports: (reports) => Promise.resolve({ accepted: reports.length }),
          };
          const unsafe: string[] = [];
          const saves: string[] = [];
          const store: CursorStore = {
            load: () => Promise.resolve(""),
            save: (cursor) => {
              const upTo = Number(cursor.slice(1));
              const missing = activeness
                .slice(0, upTo)
                .some((isActive, i) => isActive && !acknowledged.has(`uid-${i + 1}`));
              if (missing) unsafe.push(cursor);
              saves.push(cursor);
              return Promise.resolve();
            },
          };
          const source = new FakeEventSource(script);
          const result = await scheduler.waitFor(
            reporter(source, submitter, store, { batchSize, maxInFlightBatches }).run(never),
          );
          expect(unsafe).toEqual([]);
          expect(saves.map((c) => Number(c.slice(1)))).toEqual(
            [...saves.map((c) => Number(c.slice(1)))].sort((a, b) => a - b),
          );
          expect(result.cursor).toBe(`c${activeness.length}`);
          expect(acknowledged.size).toBe(activeness.filter(Boolean).length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("Reporter on a stream that carries cursors only at checkpoints", () => {
  const at = (event: StreamEvent["event"], cursor: string): StreamEvent => ({ event, cursor });

  it("asks for checkpoints, batches by them and saves only checkpoint cursors", async () => {
    const script = [
      at(active(1), ""),
      at(active(2), "k1"),
      at(filtered(3), ""),
      at(active(4), ""),
      at(undefined, "k2"),
      at(active(5), ""),
      at(filtered(6), ""),
    ];
    const timeline: Timeline = [];
    const source = new FakeEventSource(script);
    const submitter = new FakeSubmitter(timeline);
    const store = new MemoryCursorStore("", timeline);
    const result = await reporter(source, submitter, store).run(never);
    expect(source.calls).toEqual([{ cursor: "", untilCaughtUp: true, cursors: "checkpoints" }]);
    expect(ids(submitter.acknowledged)).toEqual([
      ["uid-1", "uid-2"],
      ["uid-4", "uid-5"],
    ]);
    // The second batch's cursor is the checkpoint before uid-5: resuming there sends uid-5 again.
    expect(store.saves).toEqual(["k1", "k2"]);
    expect(result).toMatchObject({ cursor: "k2", eventsConsumed: 6, eventsSubmitted: 4 });
  });

  it("saves nothing for batches that come before the first checkpoint", async () => {
    const script = [at(active(1), ""), at(active(2), ""), at(active(3), ""), at(filtered(4), "k1")];
    const s = setup(script);
    const run = s.reporter({ maxInFlightBatches: 1 }).run(never);
    await eventually(() => s.submitter.calls.length === 1, "the first batch is out");
    call(s, 0).acknowledge();
    await eventually(() => s.submitter.calls.length === 2, "the last batch is out");
    expect(s.store.saves).toEqual([]);
    call(s, 1).acknowledge();
    await run;
    expect(s.store.saves).toEqual(["k1"]);
  });

  it("takes idle checkpoints only at checkpoint cursors", async () => {
    const script = [
      at(filtered(1), ""),
      at(filtered(2), ""),
      at(filtered(3), "k1"),
      at(filtered(4), ""),
      at(filtered(5), ""),
      at(filtered(6), ""),
    ];
    const timeline: Timeline = [];
    const store = new MemoryCursorStore("", timeline);
    await reporter(new FakeEventSource(script), new FakeSubmitter(timeline), store, {
      idleCheckpointEvents: 2,
    }).run(never);
    expect(store.saves).toEqual(["k1"]);
  });

  it("resumes from the last checkpoint saved", async () => {
    const script = [at(active(1), ""), at(active(2), "k1"), at(active(3), ""), at(active(4), "k2")];
    const timeline: Timeline = [];
    const source = new FakeEventSource(script);
    const submitter = new FakeSubmitter(timeline);
    await reporter(source, submitter, new MemoryCursorStore("k1", timeline)).run(never);
    expect(source.calls[0]?.cursor).toBe("k1");
    expect(ids(submitter.acknowledged)).toEqual([["uid-3", "uid-4"]]);
  });
});
