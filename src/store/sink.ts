import type { Event, UsageReport } from "../gen/tenants/tenants.js";

/**
 * Where the central side stores what tenants submit. Implementations: DuckDB (embedded default), Amazon
 * Timestream and PostgreSQL. Tests use the real implementations (DuckDB in a temp directory, Timestream
 * against the test endpoint, a throwaway PostgreSQL server).
 *
 * Contract shared by every implementation:
 * - Durable on resolve: once `write` resolves, the events survive a crash of this process.
 * - Idempotent on (tenant, id): writing the same event again, in the same batch or a later one, leaves
 *   one record.
 * - All-or-nothing from the caller's view: a batch the sink cannot wholly accept rejects with a typed
 *   `DomainError` and is never partially acknowledged. Parts of a rejected batch may already be stored;
 *   because writes are idempotent, re-sending the whole batch is always safe.
 */
export interface Sink {
  /** Stores activity events of one tenant. */
  write(tenant: string, events: readonly Event[]): Promise<WriteResult>;
  /** Stores resource-count reports of one tenant; idempotent on (tenant, cluster, time). */
  writeUsageReports(tenant: string, reports: readonly UsageReport[]): Promise<WriteResult>;
  /**
   * Deletes the raw events older than `before` (event retention), keeping what MAU is answered from (the
   * daily activity rollup), and says how many went. Never deletes events the rollup does not cover yet
   * (its build from older events unfinished): then it deletes nothing and says so with `deferred`.
   * Optional: a backend whose store expires data itself (Timestream's retention) omits it.
   */
  expireEvents?(before: Date): Promise<ExpireResult>;
  /** Waits for in-flight writes, then releases resources. Later writes reject with UnavailableError. */
  close(): Promise<void>;
}

export interface ExpireResult {
  /** Raw events deleted (PostgreSQL, dropping whole partitions, may count them before the drop). */
  deleted: number;
  /** True when nothing was deleted because the rollup is still being built. */
  deferred: boolean;
}

export interface WriteResult {
  /** How many of the submitted items are durably stored (items already stored count too). */
  accepted: number;
}
