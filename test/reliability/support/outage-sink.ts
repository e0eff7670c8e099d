import { UnavailableError } from "../../../src/errors/errors.js";
import type { Event, UsageReport } from "../../../src/gen/tenants/tenants.js";
import type { Sink, WriteResult } from "../../../src/store/sink.js";

/** A Sink in front of a real one that is unavailable (every write throws UnavailableError) for a while. */
export class OutageSink implements Sink {
  /** Writes the inner sink stored. */
  stored = 0;
  /** Writes refused during the outage. */
  refused = 0;
  private until = 0;
  private readonly refusedWaiters: (() => void)[] = [];

  constructor(
    private readonly inner: Sink,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every write from now for `ms` milliseconds fails. */
  startOutage(ms: number): void {
    this.until = this.now() + ms;
  }

  get inOutage(): boolean {
    return this.now() < this.until;
  }

  /** Resolves at the first refusal. */
  firstRefusal(): Promise<void> {
    if (this.refused > 0) return Promise.resolve();
    return new Promise((resolve) => this.refusedWaiters.push(resolve));
  }

  async write(tenant: string, events: readonly Event[]): Promise<WriteResult> {
    this.check();
    const result = await this.inner.write(tenant, events);
    this.stored++;
    return result;
  }

  writeUsageReports(tenant: string, reports: readonly UsageReport[]): Promise<WriteResult> {
    this.check();
    return this.inner.writeUsageReports(tenant, reports);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private check(): void {
    if (!this.inOutage) return;
    this.refused++;
    for (const resolve of this.refusedWaiters.splice(0)) resolve();
    throw new UnavailableError("the sink is unavailable (injected outage)");
  }
}
