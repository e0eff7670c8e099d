import type { Event, UsageReport } from "../../src/gen/tenants/tenants.js";
import type { Sink, WriteResult } from "../../src/store/sink.js";

/**
 * A Sink for failure injection: it records what it stored, can be told to fail the next writes or to
 * hold them until released (to observe a call while its write is in flight).
 */
export class FakeSink implements Sink {
  readonly events: { tenant: string; events: readonly Event[] }[] = [];
  readonly usageReports: { tenant: string; reports: readonly UsageReport[] }[] = [];
  /** Writes begun, stored or not. */
  started = 0;
  /** Thrown by each write while set. */
  failure: Error | undefined;
  #held: { promise: Promise<void>; release: () => void } | undefined;
  #startWaiters: (() => void)[] = [];

  /** Makes later writes wait until `release`. */
  hold(): void {
    let release: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.#held = { promise, release };
  }

  release(): void {
    this.#held?.release();
    this.#held = undefined;
  }

  /** Resolves once `count` writes have begun. */
  whenStarted(count: number): Promise<void> {
    if (this.started >= count) return Promise.resolve();
    return new Promise((resolve) => this.#startWaiters.push(() => this.started >= count && resolve()));
  }

  write(tenant: string, events: readonly Event[]): Promise<WriteResult> {
    return this.#store(() => this.events.push({ tenant, events }), events.length);
  }

  writeUsageReports(tenant: string, reports: readonly UsageReport[]): Promise<WriteResult> {
    return this.#store(() => this.usageReports.push({ tenant, reports }), reports.length);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #store(record: () => void, count: number): Promise<WriteResult> {
    this.started += 1;
    for (const wake of this.#startWaiters) wake();
    await this.#held?.promise;
    if (this.failure !== undefined) throw this.failure;
    record();
    return { accepted: count };
  }
}
