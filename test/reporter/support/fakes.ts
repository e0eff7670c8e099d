import type { CursorMode } from "../../../src/cursor/cursor-mode.js";
import { NEVER_ABORTED, type StreamEventsOptions } from "../../../src/cursor/stream-events-options.js";
import { InvalidArgumentError } from "../../../src/errors/errors.js";
import { parseEvent } from "../../../src/events/codec.js";
import type { StreamEvent } from "../../../src/gen/auth/auth.js";
import type { OneOf } from "../../../src/gen/events/events.js";
import type {
  Event,
  SubmitEventsResponse,
  SubmitUsageReportsResponse,
  UsageReport,
} from "../../../src/gen/tenants/tenants.js";
import type { CursorStore } from "../../../src/reporter/cursor-store/cursor-store.js";
import type { EventSource } from "../../../src/reporter/event-source.js";
import type { SubmitOptions, Submitter } from "../../../src/reporter/submitter/submitter.js";

/** What happened, in order, across the fakes: "submit N", "ack N", "save CURSOR". */
export type Timeline = string[];

/**
 * A scripted stream: resumes after the event whose cursor it is given. In follow mode it waits at the end
 * of the script until aborted (`waiting` tells when it got there: everything before was consumed).
 */
export class FakeEventSource implements EventSource {
  readonly calls: { cursor: string; untilCaughtUp: boolean; cursors: CursorMode | undefined }[] = [];
  waiting = false;
  /** Stream events handed to the consumer so far, over all calls. */
  yielded = 0;

  constructor(
    private readonly script: StreamEvent[],
    private readonly failure?: { before: number; error: unknown },
  ) {}

  async *streamEvents(cursor: string, options: StreamEventsOptions = {}): AsyncIterable<StreamEvent> {
    const { signal = NEVER_ABORTED, untilCaughtUp = false } = options;
    this.calls.push({ cursor, untilCaughtUp, cursors: options.cursors });
    const start = cursor === "" ? 0 : this.script.findIndex((e) => e.cursor === cursor) + 1;
    if (start === 0 && cursor !== "") throw new InvalidArgumentError(`unknown cursor ${cursor}`);
    for (let i = start; i < this.script.length; i++) {
      if (signal.aborted) return;
      if (this.failure?.before === i) throw this.failure.error;
      this.yielded++;
      yield this.script[i] as StreamEvent;
    }
    if (untilCaughtUp) return;
    this.waiting = true;
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    this.waiting = false;
  }
}

/** A tenants service that acknowledges, fails with scripted errors, or never answers. */
export class FakeSubmitter implements Submitter {
  /** Every SubmitEvents request, failed ones included. */
  readonly requests: Event[][] = [];
  readonly acknowledged: Event[][] = [];
  readonly usageReports: UsageReport[][] = [];
  /** Errors for the next calls, in order. */
  readonly failures: Error[] = [];
  /** Fails every call with this once `failures` is empty. */
  failAlways: Error | undefined;
  /** Never answers (until the call's signal aborts). */
  hang = false;
  /** When set, each call waits for it before answering. */
  gate: Promise<void> | undefined;

  constructor(private readonly timeline: Timeline = []) {}

  async submitEvents(events: readonly Event[], options: SubmitOptions = {}): Promise<SubmitEventsResponse> {
    this.requests.push([...events]);
    this.timeline.push(`submit ${events.length}`);
    await this.#answer(options.signal);
    this.acknowledged.push([...events]);
    this.timeline.push(`ack ${events.length}`);
    return { accepted: events.length };
  }

  async submitUsageReports(
    reports: readonly UsageReport[],
    options: SubmitOptions = {},
  ): Promise<SubmitUsageReportsResponse> {
    await this.#answer(options.signal);
    this.usageReports.push([...reports]);
    return { accepted: reports.length };
  }

  async #answer(signal: AbortSignal | undefined): Promise<void> {
    if (this.gate !== undefined) await this.gate;
    if (this.hang) {
      await new Promise((_resolve, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason as Error), { once: true }),
      );
    }
    const failure = this.failures.length > 0 ? this.failures.shift() : this.failAlways;
    if (failure !== undefined) throw failure;
  }
}

/** One SubmitEvents call to ManualSubmitter, waiting for the test to answer it. */
export interface HeldCall {
  events: Event[];
  /** Whether it has been answered (or cancelled). */
  settled: boolean;
  acknowledge(): void;
  refuse(error: Error): void;
}

/**
 * A tenants service that answers each SubmitEvents call only when the test says so, in any order;
 * a call whose signal aborts rejects with its reason. Timeline: "submit uid-1..uid-2",
 * "ack uid-1..uid-2".
 */
export class ManualSubmitter implements Submitter {
  readonly calls: HeldCall[] = [];

  constructor(private readonly timeline: Timeline = []) {}

  submitEvents(events: readonly Event[], options: SubmitOptions = {}): Promise<SubmitEventsResponse> {
    const label = `${events[0]?.id ?? ""}..${events.at(-1)?.id ?? ""}`;
    this.timeline.push(`submit ${label}`);
    return new Promise((resolve, reject) => {
      const call: HeldCall = {
        events: [...events],
        settled: false,
        acknowledge: () => {
          if (call.settled) return;
          call.settled = true;
          this.timeline.push(`ack ${label}`);
          resolve({ accepted: events.length });
        },
        refuse: (error) => {
          if (call.settled) return;
          call.settled = true;
          reject(error);
        },
      };
      options.signal?.addEventListener("abort", () => call.refuse(options.signal?.reason as Error), {
        once: true,
      });
      this.calls.push(call);
    });
  }

  submitUsageReports(reports: readonly UsageReport[]): Promise<SubmitUsageReportsResponse> {
    return Promise.resolve({ accepted: reports.length });
  }
}

/** A cursor store in memory; `crashOnSave` makes the next saves throw as if the process died there. */
export class MemoryCursorStore implements CursorStore {
  readonly saves: string[] = [];
  readonly crashOnSave: Error[] = [];

  constructor(
    public cursor = "",
    private readonly timeline: Timeline = [],
  ) {}

  load(): Promise<string> {
    return Promise.resolve(this.cursor);
  }

  save(cursor: string): Promise<void> {
    const crash = this.crashOnSave.shift();
    if (crash !== undefined) return Promise.reject(crash);
    this.saves.push(cursor);
    this.cursor = cursor;
    this.timeline.push(`save ${cursor}`);
    return Promise.resolve();
  }
}

/** Stream events with cursors c1, c2, ... */
export function scripted(events: OneOf[]): StreamEvent[] {
  return events.map((event, i) => ({ event, cursor: `c${i + 1}` }));
}

/** An event that makes `user` active; `fields` override (undefined removes) its JSON fields. */
export function active(
  i: number,
  user = "alice@acme.com",
  cluster = "acme-prod.teleport.sh",
  fields: Record<string, unknown> = {},
): OneOf {
  return parseEvent(
    JSON.stringify({
      event: "session.start",
      uid: `uid-${i}`,
      code: "T2000I",
      time: "2026-09-01T08:03:45.102Z",
      cluster_name: cluster,
      user,
      user_kind: 1,
      login: "ubuntu",
      "addr.remote": "203.0.113.24:51602",
      proto: "ssh",
      ...fields,
    }),
  );
}

/** An event that makes nobody active. */
export function filtered(i: number): OneOf {
  return parseEvent(
    JSON.stringify({
      event: "print",
      ei: i,
      time: "2026-09-01T08:03:45.355Z",
      cluster_name: "acme-prod.teleport.sh",
    }),
  );
}
