import type { Timestamp } from "../../src/gen/google/protobuf/timestamp.js";
import { type Event, type UsageReport, UserKind } from "../../src/gen/tenants/tenants.js";
import { HmacAnonymizer } from "../../src/reporter/anonymizer/hmac-anonymizer.js";

/** Valid activity as a reporter sends it: names anonymized with a tenant key, times in September 2026. */

const anonymizer = new HmacAnonymizer(new TextEncoder().encode("tenant-key-for-tests"));

export const anonymize = (name: string): string => anonymizer.anonymize(name);

/** The service's clock in these tests: times up to 15 minutes past it are accepted. */
export const NOW_MS = Date.parse("2026-09-15T12:00:00Z");

export function timestamp(iso: string): Timestamp {
  const ms = Date.parse(iso);
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

export function activityEvent(overrides: Partial<Event> = {}): Event {
  return {
    id: "35d42e7f-a4f0-46e7-8ddc-dfa63a275129",
    time: timestamp("2026-09-01T08:03:45.102Z"),
    type: "session.start",
    user: anonymize("alice@acme.com"),
    userKind: UserKind.USER_KIND_HUMAN,
    protocol: "ssh",
    cluster: anonymize("acme-prod.teleport.sh"),
    sessionKind: "",
    ...overrides,
  };
}

const PROTOCOLS = ["ssh", "kube", "db", "app", "desktop", ""] as const;

/** `count` distinct events `${prefix}-${i}` over several users and protocols. */
export function activityEvents(prefix: string, count: number): Event[] {
  return Array.from({ length: count }, (_, i) =>
    activityEvent({
      id: `${prefix}-${i}`,
      time: timestamp(new Date(Date.parse("2026-09-01T00:00:00Z") + i * 60_000).toISOString()),
      user: anonymize(`user-${i % 7}`),
      userKind: i % 5 === 4 ? UserKind.USER_KIND_BOT : UserKind.USER_KIND_HUMAN,
      protocol: PROTOCOLS[i % PROTOCOLS.length] ?? "",
    }),
  );
}

export function usageReport(overrides: Partial<UsageReport> = {}): UsageReport {
  return {
    time: timestamp("2026-09-01T00:00:00Z"),
    cluster: anonymize("acme-prod.teleport.sh"),
    users: 120n,
    servers: 40n,
    databases: 3n,
    apps: 2n,
    kubeClusters: 1n,
    desktops: 5n,
    roles: 9n,
    authConnectors: 2n,
    ...overrides,
  };
}
