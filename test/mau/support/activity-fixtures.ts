import { readFileSync } from "node:fs";
import { parseEvent } from "../../../src/events/codec.js";
import type { Event } from "../../../src/gen/tenants/tenants.js";
import { UserKind } from "../../../src/gen/tenants/tenants.js";
import { buildActivityEvent } from "../../../src/reporter/activity-builder.js";
import { HmacAnonymizer } from "../../../src/reporter/anonymizer/hmac-anonymizer.js";

const FIXTURES = new URL("../../fixtures/teleport-events.jsonl", import.meta.url);

/**
 * Audit events added to the shared sample to cover what it lacks: a month boundary on both sides
 * (August 31 and October 1 at the edge of September), failed actions, a user-less event, a bot known only
 * by its user_kind, a bot known only by its name, a user active only through a login, and an admin event.
 */
export const EXTRA_EVENTS: readonly Record<string, unknown>[] = [
  // A failed login and a failed database session: nobody becomes active.
  {
    ei: 0,
    event: "user.login",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0001",
    code: "T1000W",
    time: "2026-09-10T08:00:00Z",
    cluster_name: "acme-prod.teleport.sh",
    user: "frank@acme.com",
    user_kind: 1,
    success: false,
    method: "local",
    error: "invalid credentials",
  },
  {
    ei: 0,
    event: "db.session.start",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0002",
    code: "TDB00W",
    time: "2026-09-11T08:00:00Z",
    cluster_name: "acme-prod.teleport.sh",
    user: "grace@acme.com",
    user_kind: 1,
    success: false,
    db_protocol: "postgres",
    db_service: "payments",
  },
  // The last millisecond of September and the first of October.
  {
    ei: 0,
    event: "session.start",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0003",
    code: "T2000I",
    time: "2026-09-30T23:59:59.999Z",
    cluster_name: "acme-prod.teleport.sh",
    user: "alice@acme.com",
    user_kind: 1,
    login: "ubuntu",
    proto: "ssh",
  },
  {
    ei: 0,
    event: "kube.request",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0004",
    code: "T3009I",
    time: "2026-10-01T00:00:00.000Z",
    cluster_name: "acme-prod.teleport.sh",
    user: "alice@acme.com",
    user_kind: 1,
    proto: "kube",
    kubernetes_cluster: "eks-prod-us-west-2",
    verb: "GET",
  },
  // The last millisecond of August.
  {
    ei: 0,
    event: "app.session.start",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0005",
    code: "T2007I",
    time: "2026-08-31T23:59:59.999Z",
    cluster_name: "globex.teleport.sh",
    user: "dave",
    user_kind: 1,
    app_name: "grafana",
    app_uri: "http://grafana.internal:3000",
  },
  // No top-level user: counts for nobody.
  {
    ei: 0,
    event: "cert.create",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0006",
    code: "TC000I",
    time: "2026-10-05T10:00:00Z",
    cluster_name: "acme-prod.teleport.sh",
    cert_type: "user",
    identity: { user: "bob@acme.com" },
  },
  // A bot by name only (no user_kind), and one by user_kind only.
  {
    ei: 0,
    event: "session.start",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0007",
    code: "T2000I",
    time: "2026-10-02T04:00:00Z",
    cluster_name: "acme-prod.teleport.sh",
    user: "bot-nightly",
    login: "backup",
    proto: "ssh",
  },
  {
    ei: 0,
    event: "session.start",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0008",
    code: "T2000I",
    time: "2026-09-12T04:00:00Z",
    cluster_name: "acme-prod.teleport.sh",
    user: "ci-runner",
    user_kind: 2,
    kubernetes_cluster: "eks-prod-us-west-2",
    proto: "kube",
  },
  // Active through a login only: MAU, no protocol.
  {
    ei: 0,
    event: "user.login",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0009",
    code: "T1000I",
    time: "2026-10-20T09:00:00Z",
    cluster_name: "acme-prod.teleport.sh",
    user: "heidi@acme.com",
    user_kind: 1,
    success: true,
    method: "local",
  },
  // An admin event with a user: MAU, no protocol.
  {
    ei: 0,
    event: "access_request.create",
    uid: "0b8f5a1e-5d0a-4c55-9a0e-6f0e8c1a0010",
    code: "T5000I",
    time: "2026-10-07T15:00:00Z",
    cluster_name: "globex.teleport.sh",
    user: "ivan@globex.io",
    user_kind: 1,
    id: "9f1c1f5e-2c71-4a8e-bf5e-000000000001",
    roles: ["db-admin"],
    state: "PENDING",
  },
];

/** Which tenant each sample cluster belongs to. */
const TENANT_OF_CLUSTER: Record<string, string> = {
  "acme-prod.teleport.sh": "acme",
  "acme-staging.teleport.sh": "acme",
  "globex.teleport.sh": "globex",
  "initech-eu.teleport.sh": "initech",
};

export const TENANTS = ["acme", "globex", "initech"] as const;

/**
 * The activity records the reporter would submit for the sample and the extra events, per tenant
 * (anonymized by each tenant's own key), plus one stored record without a user that no query may count.
 */
export function activityByTenant(): Map<string, Event[]> {
  const lines = [
    ...readFileSync(FIXTURES, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== ""),
    ...EXTRA_EVENTS.map((event) => JSON.stringify(event)),
  ];
  const byTenant = new Map<string, Event[]>(TENANTS.map((t) => [t, []]));
  for (const line of lines) {
    const cluster = (JSON.parse(line) as { cluster_name: string }).cluster_name;
    const tenant = TENANT_OF_CLUSTER[cluster];
    if (tenant === undefined) throw new Error(`no tenant for cluster ${cluster}`);
    const anonymizer = new HmacAnonymizer(new TextEncoder().encode(`key-of-${tenant}`));
    const record = buildActivityEvent(parseEvent(line), anonymizer);
    if (record !== null) byTenant.get(tenant)?.push(record);
  }
  byTenant.get("acme")?.push({
    id: "userless-record",
    time: { seconds: BigInt(Date.parse("2026-09-15T00:00:00Z") / 1000), nanos: 0 },
    type: "db.session.start",
    user: "",
    userKind: UserKind.USER_KIND_HUMAN,
    protocol: "db",
    cluster: "",
    sessionKind: "",
  });
  return byTenant;
}
