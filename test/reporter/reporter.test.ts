import { describe, expect, it } from "vitest";
import {
  DataLossError,
  InternalError,
  InvalidArgumentError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
} from "../../src/errors/errors.js";
import { SubmitEventsRequest, type Event } from "../../src/gen/tenants/tenants.js";
import { newRegistry, type Registry } from "../../src/observability/metrics.js";
import { HmacAnonymizer } from "../../src/reporter/anonymizer/hmac-anonymizer.js";
import { Reporter, type ReporterOptions } from "../../src/reporter/reporter.js";
import { STREAM_LAG_IDLE_AFTER_MS } from "../../src/reporter/stream-lag.js";
import { fixtureEvents, identifyingStrings } from "./support/fixture-events.js";
import {
  FakeEventSource,
  FakeSubmitter,
  MemoryCursorStore,
  active,
  filtered,
  scripted,
  type Timeline,
} from "./support/fakes.js";
import { eventually } from "../support/eventually.js";
import { captureLogs, type LogRecord } from "../support/log-capture.js";

const anonymizer = new HmacAnonymizer(new TextEncoder().encode("tenant-key-0001"));
const fastRetry = { initialDelay: 1, maxDelay: 2, multiplier: 2 };

interface Setup {
  source: FakeEventSource;
  submitter: FakeSubmitter;
  store: MemoryCursorStore;
  timeline: Timeline;
  registry: Registry;
  logs: LogRecord[];
  reporter: (options?: Partial<ReporterOptions>) => Reporter;
}

function setup(source: FakeEventSource, saved = ""): Setup {
  const timeline: Timeline = [];
  const submitter = new FakeSubmitter(timeline);
  const store = new MemoryCursorStore(saved, timeline);
  const registry = newRegistry();
  const { logger, records: logs } = captureLogs();
  return {
    source,
    submitter,
    store,
    timeline,
    registry,
    logs,
    reporter: (options = {}) =>
      new Reporter({
        source,
        submitter,
        cursorStore: store,
        anonymizer,
        logger,
        registry,
        retry: fastRetry,
        untilCaughtUp: true,
        ...options,
      }),
  };
}

const ids = (batches: Event[][]): string[][] => batches.map((b) => b.map((e) => e.id));
const never = new AbortController().signal;

async function metric(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const match = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value ?? 0;
}

describe("Reporter", () => {
  it("submits the sample events that make users active, in order, and checkpoints the end", async () => {
    const events = fixtureEvents();
    const s = setup(new FakeEventSource(scripted(events)));
    const result = await s.reporter({ batchSize: 4 }).run(never);

    const submitted = s.submitter.acknowledged.flat();
    expect(submitted.map((e) => e.type)).toEqual([
      "user.login",
      "session.start",
      "session.end",
      "session.start",
      "exec",
      "kube.request",
      "port",
      "db.session.start",
      "db.session.query",
      "app.session.start",
      "windows.desktop.session.start",
      "session.start",
      "session.start",
    ]);
    expect(s.submitter.acknowledged.map((b) => b.length)).toEqual([4, 4, 4, 1]);
    expect(s.store.cursor).toBe(`c${events.length}`);
    expect(result).toEqual({
      cursor: `c${events.length}`,
      eventsConsumed: events.length,
      eventsSubmitted: 13,
      batchesSubmitted: 4,
      eventsUndelivered: 0,
    });
    expect(await metric(s.registry, "tenant_events_reporter_events_submitted_total")).toBe(13);
    expect(await metric(s.registry, "tenant_events_reporter_events_consumed_total")).toBe(events.length);
  });

  it("reports how far behind the audit log it is", async () => {
    const events = fixtureEvents();
    const now = Date.parse("2026-09-25T03:14:26.400Z");
    const s = setup(new FakeEventSource(scripted(events)));
    await s.reporter({ now: () => now }).run(never);
    // The last sample event is at 2026-09-25T03:14:16.4Z: ten seconds before the reporter's clock.
    expect(await metric(s.registry, "tenant_events_reporter_stream_lag_seconds")).toBe(10);
  });

  it("reports no lag once the stream has been quiet for a while, however old the last event", async () => {
    const events = fixtureEvents();
    let now = Date.parse("2026-11-25T03:14:26.400Z");
    const s = setup(new FakeEventSource(scripted(events)));
    const stop = new AbortController();
    const run = s.reporter({ now: () => now, untilCaughtUp: false }).run(stop.signal);
    await eventually(() => s.source.waiting, "the reporter to wait at the end of the log");
    const behind = await metric(s.registry, "tenant_events_reporter_stream_lag_seconds");
    expect(behind).toBeGreaterThan(60 * 86_400);
    now += STREAM_LAG_IDLE_AFTER_MS;
    expect(await metric(s.registry, "tenant_events_reporter_stream_lag_seconds")).toBe(0);
    stop.abort();
    await run;
  });

  it("saves each batch's cursor only after its acknowledgement, covering the filtered events before it", async () => {
    const s = setup(
      new FakeEventSource(scripted([active(1), filtered(2), active(3), filtered(4), filtered(5)])),
    );
    let release!: () => void;
    s.submitter.gate = new Promise((resolve) => (release = resolve));
    const run = s.reporter({ batchSize: 2 }).run(never);
    await eventually(() => s.submitter.requests.length === 1, "the first batch is submitted");
    expect(s.store.saves).toEqual([]);
    release();
    await run;
    expect(s.timeline).toEqual(["submit 2", "ack 2", "save c3", "save c5"]);
  });

  it("resumes from the saved cursor", async () => {
    const s = setup(new FakeEventSource(scripted([active(1), active(2), active(3)])), "c2");
    await s.reporter().run(never);
    expect(s.source.calls).toEqual([{ cursor: "c2", untilCaughtUp: true, cursors: "checkpoints" }]);
    expect(ids(s.submitter.acknowledged)).toEqual([["uid-3"]]);
  });

  it("re-sends the batch after a crash between acknowledgement and checkpoint (at-least-once)", async () => {
    const s = setup(new FakeEventSource(scripted([active(1), active(2), active(3), active(4)])));
    s.store.crashOnSave.push(new Error("killed"));
    await expect(s.reporter({ batchSize: 2 }).run(never)).rejects.toThrow("killed");
    expect(ids(s.submitter.acknowledged)).toEqual([["uid-1", "uid-2"]]);
    expect(s.store.cursor).toBe("");

    await s.reporter({ batchSize: 2 }).run(never);
    expect(ids(s.submitter.acknowledged)).toEqual([
      ["uid-1", "uid-2"],
      ["uid-1", "uid-2"],
      ["uid-3", "uid-4"],
    ]);
    expect(s.store.cursor).toBe("c4");
  });

  it("retries UNAVAILABLE with backoff, reports the failures, and resets health on success", async () => {
    const s = setup(new FakeEventSource(scripted([active(1), active(2)])));
    s.submitter.failures.push(
      new UnavailableError("down"),
      new UnavailableError("down"),
      new InternalError("hiccup"),
    );
    await s.reporter({ unhealthyAfter: 2 }).run(never);
    expect(s.submitter.requests).toHaveLength(4);
    expect(ids(s.submitter.acknowledged)).toEqual([["uid-1", "uid-2"]]);
    expect(s.store.cursor).toBe("c2");
    expect(
      await metric(s.registry, "tenant_events_reporter_submit_failures_total", { kind: "unavailable" }),
    ).toBe(2);
    expect(await metric(s.registry, "tenant_events_reporter_consecutive_failures")).toBe(0);
    expect(s.logs.map((l) => l.msg)).toContain(
      "SubmitEvents has failed 2 times in a row; the cursor is not advancing",
    );
  });

  it("shows consecutive failures in the gauge while retrying", async () => {
    const s = setup(new FakeEventSource(scripted([active(1)])));
    s.submitter.failAlways = new UnavailableError("down");
    const controller = new AbortController();
    const run = s.reporter({ shutdownTimeout: 1 }).run(controller.signal);
    // The fourth attempt starts only after the third failure was recorded.
    await eventually(() => s.submitter.requests.length >= 4, "four attempts");
    expect(await metric(s.registry, "tenant_events_reporter_consecutive_failures")).toBeGreaterThanOrEqual(3);
    controller.abort();
    await run;
  });

  it.each([
    ["PERMISSION_DENIED", new PermissionDeniedError("the bearer token is not valid"), PermissionDeniedError],
    ["UNAUTHENTICATED", new UnauthenticatedError("missing credentials"), UnauthenticatedError],
    ["INVALID_ARGUMENT", new InvalidArgumentError("event 0: id is required"), InvalidArgumentError],
  ])("stops on %s with a clear error, without advancing the cursor", async (_name, error, type) => {
    const s = setup(new FakeEventSource(scripted([active(1), filtered(2), active(3), active(4)])), "");
    s.submitter.failAlways = error;
    const run = s.reporter({ batchSize: 2 }).run(never);
    await expect(run).rejects.toBeInstanceOf(type);
    await expect(s.reporter({ batchSize: 2 }).run(never)).rejects.toThrow(
      /the tenants service refused a batch of 2 events: .*The cursor was not advanced/,
    );
    expect(s.submitter.requests).toHaveLength(2);
    expect(s.store.saves).toEqual([]);
  });

  it("treats a failure that is not a domain error as a bug: it stops", async () => {
    const s = setup(new FakeEventSource(scripted([active(1)])));
    s.submitter.failAlways = new TypeError("oops");
    await expect(s.reporter().run(never)).rejects.toThrow(InternalError);
    expect(s.submitter.requests).toHaveLength(1);
  });

  it("checkpoints a long run of filtered events every idleCheckpointEvents", async () => {
    const events = Array.from({ length: 25 }, (_, i) => filtered(i));
    const s = setup(new FakeEventSource(scripted(events)));
    await s.reporter({ idleCheckpointEvents: 10 }).run(never);
    expect(s.store.saves).toEqual(["c10", "c20", "c25"]);
    expect(s.submitter.requests).toEqual([]);
  });

  it("checkpoints filtered events after idleCheckpointInterval when the stream goes quiet", async () => {
    const s = setup(new FakeEventSource(scripted([filtered(1), filtered(2), filtered(3)])));
    const controller = new AbortController();
    const run = s.reporter({ untilCaughtUp: false, idleCheckpointInterval: 20 }).run(controller.signal);
    await eventually(() => s.store.cursor === "c3", "the idle checkpoint");
    expect(s.source.waiting).toBe(true);
    controller.abort();
    await run;
    expect(s.store.saves).toEqual(["c3"]);
  });

  it("submits an open batch after batchInterval when the stream goes quiet", async () => {
    const s = setup(new FakeEventSource(scripted([active(1), filtered(2)])));
    const controller = new AbortController();
    const run = s.reporter({ untilCaughtUp: false, batchInterval: 20 }).run(controller.signal);
    await eventually(() => s.store.cursor === "c2", "the batch by interval");
    expect(ids(s.submitter.acknowledged)).toEqual([["uid-1"]]);
    controller.abort();
    await run;
  });

  it("batches by encoded bytes", async () => {
    const s = setup(new FakeEventSource(scripted(Array.from({ length: 10 }, (_, i) => active(i)))));
    await s.reporter({ batchBytes: 400 }).run(never);
    const sizes = s.submitter.acknowledged.map(
      (b) => SubmitEventsRequest.encode({ events: b }).finish().length,
    );
    expect(s.submitter.acknowledged.length).toBeGreaterThan(1);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(400);
    expect(s.submitter.acknowledged.flat()).toHaveLength(10);
  });

  it("on abort, delivers the open batch, saves its cursor and returns", async () => {
    const s = setup(new FakeEventSource(scripted([active(1), active(2), filtered(3)])));
    const controller = new AbortController();
    const run = s.reporter({ untilCaughtUp: false, batchInterval: 3_600_000 }).run(controller.signal);
    await eventually(() => s.source.waiting, "all events consumed");
    expect(s.submitter.requests).toEqual([]);
    controller.abort(new Error("SIGTERM"));
    const result = await run;
    expect(ids(s.submitter.acknowledged)).toEqual([["uid-1", "uid-2"]]);
    expect(s.store.cursor).toBe("c3");
    expect(result.cursor).toBe("c3");
  });

  it("on abort with the service down, gives up after shutdownTimeout without saving", async () => {
    const s = setup(new FakeEventSource(scripted([active(1), active(2)])));
    s.submitter.failAlways = new UnavailableError("down");
    const controller = new AbortController();
    const run = s
      .reporter({ untilCaughtUp: false, batchInterval: 3_600_000, shutdownTimeout: 50 })
      .run(controller.signal);
    await eventually(() => s.source.waiting, "all events consumed");
    controller.abort();
    const result = await run;
    expect(s.store.saves).toEqual([]);
    expect(result).toMatchObject({ cursor: "", eventsUndelivered: 2, eventsSubmitted: 0 });
    expect(s.logs.map((l) => l.msg)).toContain(
      "shutdown timeout: events not acknowledged are left unsaved and will be read again on restart",
    );
  });

  it("lets a submission in flight finish when stopping, and delivers what was read meanwhile", async () => {
    const s = setup(new FakeEventSource(scripted([active(1), active(2), active(3)])));
    let release!: () => void;
    s.submitter.gate = new Promise((resolve) => (release = resolve));
    const controller = new AbortController();
    const run = s.reporter({ untilCaughtUp: false, batchSize: 2 }).run(controller.signal);
    await eventually(() => s.submitter.requests.length === 1, "the first batch is in flight");
    await eventually(() => s.source.waiting, "the event after it is read");
    controller.abort();
    release();
    await run;
    expect(ids(s.submitter.acknowledged)).toEqual([["uid-1", "uid-2"], ["uid-3"]]);
    expect(s.store.cursor).toBe("c3");
  });

  it("when the stream fails, delivers and checkpoints what it read, then throws the stream's error", async () => {
    const source = new FakeEventSource(scripted([active(1), filtered(2), active(3)]), {
      before: 2,
      error: new DataLossError("cursor position was trimmed"),
    });
    const s = setup(source);
    await expect(s.reporter().run(never)).rejects.toThrow(DataLossError);
    expect(ids(s.submitter.acknowledged)).toEqual([["uid-1"]]);
    expect(s.store.cursor).toBe("c2");
  });

  it("skips, logs and counts an active event it cannot submit, and carries on", async () => {
    const yearZero = active(2, undefined, undefined, { time: "0000-06-01T00:00:00Z" });
    const source = new FakeEventSource(scripted([active(1), yearZero, active(3)]));
    const t = setup(source);
    await t.reporter().run(never);
    expect(ids(t.submitter.acknowledged)).toEqual([["uid-1", "uid-3"]]);
    expect(t.store.cursor).toBe("c3");
    expect(
      await metric(t.registry, "tenant_events_reporter_events_rejected_total", { reason: "invalid" }),
    ).toBe(1);
    expect(
      t.logs.some((l) => l.level === 50 && /uid-2 makes a user active but has no valid time/.test(l.msg)),
    ).toBe(true);
  });

  it("skips each event the tenants service would refuse, delivers the rest of the batch, advances the cursor", async () => {
    const NOW = Date.parse("2026-09-01T09:00:00Z");
    const script = scripted([
      active(1),
      active(2, undefined, undefined, { event: "session start" }),
      filtered(3),
      active(4, undefined, undefined, { time: "1999-12-31T23:59:59Z" }),
      active(5, undefined, undefined, { time: "2026-09-01T10:00:00Z" }),
      active(6),
    ]);
    const s = setup(new FakeEventSource(script));
    const result = await s.reporter({ now: () => NOW }).run(never);

    expect(ids(s.submitter.requests)).toEqual([["uid-1", "uid-6"]]);
    expect(s.store.cursor).toBe("c6");
    expect(result).toMatchObject({ cursor: "c6", eventsConsumed: 6, eventsSubmitted: 2 });
    expect(
      await metric(s.registry, "tenant_events_reporter_events_rejected_total", { reason: "invalid" }),
    ).toBe(3);
    const skipped = s.logs.filter((l) => l.level === 50 && l.msg.startsWith("activity event skipped"));
    expect(skipped.map((l) => [l.id, l.problems])).toEqual([
      ["uid-2", [expect.stringContaining('type "session start" is not an audit event type')]],
      ["uid-4", [expect.stringContaining("is before 2000-01-01")]],
      ["uid-5", [expect.stringContaining("is in the future")]],
    ]);
    const logged = JSON.stringify(s.logs);
    for (const secret of ["alice@acme.com", "acme-prod.teleport.sh", "ubuntu", "203.0.113.24"]) {
      expect(logged, `${secret} logged`).not.toContain(secret);
    }
  });

  it("skips an event too large even alone, and keeps going", async () => {
    const big = active(2, undefined, undefined, { event: "e".repeat(200) });
    const s = setup(new FakeEventSource(scripted([active(1), big, active(3)])));
    await s.reporter({ maxMessageBytes: 200, batchBytes: 200 }).run(never);
    expect(ids(s.submitter.acknowledged).flat()).toEqual(["uid-1", "uid-3"]);
    expect(s.store.cursor).toBe("c3");
    expect(
      await metric(s.registry, "tenant_events_reporter_events_rejected_total", { reason: "oversize" }),
    ).toBe(1);
  });

  it("lets no raw user, login, cluster name or address reach the central side", async () => {
    const s = setup(new FakeEventSource(scripted(fixtureEvents())));
    await s.reporter({ batchSize: 3 }).run(never);
    const secrets = identifyingStrings();
    expect(secrets.length).toBeGreaterThan(20);
    expect(s.submitter.requests.length).toBeGreaterThan(0);
    for (const events of s.submitter.requests) {
      const bytes = Buffer.from(SubmitEventsRequest.encode({ events }).finish());
      for (const secret of secrets) expect(bytes.includes(secret), `${secret} leaked`).toBe(false);
    }
  });

  it.each([
    [{ batchSize: 0 }, /batchSize must be a positive integer/],
    [{ batchBytes: 2 ** 23 }, /batchBytes \(8388608\) must not exceed maxMessageBytes \(4194304\)/],
    [{ batchInterval: -1 }, /batchInterval must be a positive number of ms/],
    [{ idleCheckpointEvents: 1.5 }, /idleCheckpointEvents must be a positive integer/],
  ])("refuses options %o", (options, message) => {
    const s = setup(new FakeEventSource([]));
    expect(() => s.reporter(options)).toThrow(InvalidArgumentError);
    expect(() => s.reporter(options)).toThrow(message);
  });

  it("returns at once when aborted before it starts, saving nothing", async () => {
    const s = setup(new FakeEventSource(scripted([active(1)])));
    const result = await s.reporter({ untilCaughtUp: false }).run(AbortSignal.abort());
    expect(result.eventsConsumed).toBe(0);
    expect(s.store.saves).toEqual([]);
  });
});
