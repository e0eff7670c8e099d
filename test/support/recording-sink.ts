import { SubmitEventsRequest, type Event, type UsageReport } from "../../src/gen/tenants/tenants.js";
import type { Sink, WriteResult } from "../../src/store/sink.js";

/** One batch of events the tenants service handed to its sink. */
export interface RecordedWrite {
  tenant: string;
  events: Event[];
  /** The batch re-encoded as the SubmitEventsRequest that carried it over the wire. */
  requestBytes: Buffer;
}

/**
 * A Sink in front of a real one that records every event batch it is given, and can run a hook after
 * the real sink has stored a batch and before the acknowledgement goes back (to crash or stop a process
 * at exactly that point).
 */
export class RecordingSink implements Sink {
  readonly writes: RecordedWrite[] = [];
  /** Runs after the inner sink stored a batch (the batch is durable), before `write` resolves. */
  afterWrite: ((write: RecordedWrite) => Promise<void> | void) | undefined;

  constructor(private readonly inner: Sink) {}

  async write(tenant: string, events: readonly Event[]): Promise<WriteResult> {
    const recorded: RecordedWrite = {
      tenant,
      events: [...events],
      requestBytes: Buffer.from(SubmitEventsRequest.encode({ events: [...events] }).finish()),
    };
    this.writes.push(recorded);
    const result = await this.inner.write(tenant, events);
    await this.afterWrite?.(recorded);
    return result;
  }

  writeUsageReports(tenant: string, reports: readonly UsageReport[]): Promise<WriteResult> {
    return this.inner.writeUsageReports(tenant, reports);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
