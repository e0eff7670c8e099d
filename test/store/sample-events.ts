import type { Timestamp } from "../../src/gen/google/protobuf/timestamp.js";
import { type Event, type UsageReport, UserKind } from "../../src/gen/tenants/tenants.js";

/** A timestamp from an ISO string (millisecond precision) plus optional extra nanoseconds. */
export function timestamp(iso: string, extraNanos = 0): Timestamp {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad time ${iso}`);
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 + extraNanos };
}

export function sampleEvent(overrides: Partial<Event> = {}): Event {
  return {
    id: "7a1b6f2e-0000-4000-8000-000000000001",
    time: timestamp("2024-03-05T10:00:00.000Z"),
    type: "session.start",
    user: "dXNlci1hbGljZS1hbm9ueW1pemVkLWhhc2gtdmFsdWU9",
    userKind: UserKind.USER_KIND_HUMAN,
    protocol: "ssh",
    cluster: "Y2x1c3Rlci1hbm9ueW1pemVkLWhhc2gtdmFsdWUtMDE9",
    sessionKind: "",
    ...overrides,
  };
}

/** `count` distinct events `${prefix}-${i}` spread over one hour from `startIso`. */
export function sampleEvents(prefix: string, count: number, startIso = "2024-03-05T10:00:00.000Z"): Event[] {
  const start = Date.parse(startIso);
  return Array.from({ length: count }, (_, i) =>
    sampleEvent({
      id: `${prefix}-${i}`,
      time: timestamp(new Date(start + (i % 3600) * 1000).toISOString()),
      user: `user-${i % 17}`,
      protocol: ["ssh", "kube", "db", "app", "desktop", ""][i % 6] ?? "",
    }),
  );
}

export function sampleReport(overrides: Partial<UsageReport> = {}): UsageReport {
  return {
    time: timestamp("2024-03-05T00:00:00.000Z"),
    cluster: "Y2x1c3Rlci1hbm9ueW1pemVkLWhhc2gtdmFsdWUtMDE9",
    users: 12n,
    servers: 40n,
    databases: 3n,
    apps: 5n,
    kubeClusters: 2n,
    desktops: 1n,
    roles: 9n,
    authConnectors: 2n,
    ...overrides,
  };
}
