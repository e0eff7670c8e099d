/** Resource counts of one cluster, before anonymization. */
export interface UsageCounts {
  /** The raw cluster name: anonymized before it leaves. */
  cluster: string;
  /** When the counts were taken; the reporter uses the time of submission when absent. */
  time?: Date;
  users: bigint;
  servers: bigint;
  databases: bigint;
  apps: bigint;
  kubeClusters: bigint;
  desktops: bigint;
  roles: bigint;
  authConnectors: bigint;
}

/**
 * Where the reporter gets periodic resource counts.
 *
 * Implementations: JsonFileUsageSource (json-file-usage-source.ts).
 */
export interface UsageSource {
  /** The current counts, one entry per cluster. */
  read(): Promise<UsageCounts[]>;
}
