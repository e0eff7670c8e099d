import { MAX_FIELD_LENGTH } from "../activity/event-rules.js";
import { MAX_COUNT, USAGE_COUNT_FIELDS, type UsageCount } from "../activity/usage-report-rules.js";
import { InvalidArgumentError } from "../errors/errors.js";
import type { UsageReport } from "../gen/tenants/tenants.js";
import { timestampMicros } from "./timestamp.js";

/** A usage report as both sinks store it; identified by (tenant, cluster, time). */
export interface UsageRecord {
  timeMicros: bigint;
  cluster: string;
  counts: Record<UsageCount, bigint>;
}

/** Validates a batch of reports and drops repeats of (cluster, time), keeping the first. */
export function toUsageRecords(reports: readonly UsageReport[]): UsageRecord[] {
  const seen = new Set<string>();
  const records: UsageRecord[] = [];
  reports.forEach((report, index) => {
    const what = `usage report ${index}`;
    const timeMicros = timestampMicros(report.time, what);
    if (report.cluster.length > MAX_FIELD_LENGTH) {
      throw new InvalidArgumentError(`${what}: cluster is longer than ${MAX_FIELD_LENGTH} characters`);
    }
    const counts = {} as Record<UsageCount, bigint>;
    for (const [name, field] of USAGE_COUNT_FIELDS) {
      const value = BigInt(report[field]);
      if (value < 0n || value > MAX_COUNT) throw new InvalidArgumentError(`${what}: ${name} is out of range`);
      counts[name] = value;
    }
    const key = `${timeMicros}\u0000${report.cluster}`;
    if (seen.has(key)) return;
    seen.add(key);
    records.push({ timeMicros, cluster: report.cluster, counts });
  });
  return records;
}
