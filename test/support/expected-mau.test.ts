import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEvent } from "../../src/events/codec.js";
import { getUser, isActive, userKind } from "../../src/events/active-user.js";
import { eventTime } from "../../src/events/metadata.js";
import { protocolOf } from "../../src/events/protocol.js";
import { expectedMau, MauCounter, type ExpectedMauRow } from "./expected-mau.js";
import { generateEvents } from "../../src/generate/generate-events.js";

const at = (time: string, fields: Record<string, unknown>): Record<string, unknown> => ({
  ei: 0,
  time,
  cluster_name: "acme-prod.teleport.sh",
  ...fields,
});

// Written by hand from the design's "Who is active": each line says whether and how it counts.
const HAND_WRITTEN = [
  // September: alice ssh + kube, bob db, carol only logs in, dave only fails, bot ssh.
  at("2026-09-01T07:58:12.481Z", { event: "user.login", code: "T1001I", user: "alice", success: true }),
  at("2026-09-01T08:03:45.102Z", { event: "session.start", code: "T2000I", user: "alice", proto: "ssh" }),
  at("2026-09-02T08:00:00Z", {
    event: "session.start",
    code: "T2000I",
    user: "alice",
    kubernetes_cluster: "eks",
  }),
  at("2026-09-03T10:00:00Z", { event: "port", code: "T3003I", user: "alice", proto: "kube", success: true }),
  at("2026-09-09T10:11:12.131Z", { event: "db.session.start", code: "TDB00I", user: "bob", success: true }),
  at("2026-09-10T10:00:00Z", { event: "user.login", code: "T1000I", user: "carol", success: true }),
  at("2026-09-11T10:00:00Z", { event: "user.login", code: "T1000W", user: "dave", success: false }),
  at("2026-09-11T10:01:00Z", { event: "db.session.start", code: "TDB00W", user: "dave", success: false }),
  at("2026-09-11T10:02:00Z", { event: "exec", code: "T3002E", user: "dave" }),
  at("2026-09-11T10:03:00Z", { event: "app.session.start", code: "T2007I", user: "dave", success: false }),
  at("2026-09-12T10:00:00Z", { event: "session.start", code: "T2000I", user: "bot-ci", user_kind: 2 }),
  // User-less types never count, even with a `user` key; `unknown` has no top-level user.
  at("2026-09-13T10:00:00Z", { event: "cert.create", code: "TC000I", user: "erin" }),
  at("2026-09-13T10:00:01Z", { event: "app.session.request", code: "T2009I", user: "erin" }),
  at("2026-09-13T10:00:02Z", { event: "unknown", code: "TCC00E", unknown_event: "x", data: "{}" }),
  // An unknown type with a top-level user counts, in no protocol.
  at("2026-09-14T10:00:00Z", { event: "plugin.sync", code: "TPL001I", user: "frank" }),
  at("2026-09-14T10:00:01Z", { event: "plugin.sync", code: "TPL001I" }),
  // A bot by name only, and by kind only.
  at("2026-09-15T10:00:00Z", { event: "kube.request", code: "T3009I", user: "bot-argocd" }),
  at("2026-09-15T10:00:01Z", { event: "port", code: "T3003I", user: "svc", user_kind: 2, proto: "ssh" }),
  // The session crosses into October: its end makes alice active in October, in no protocol.
  at("2026-09-30T23:30:00Z", { event: "session.start", code: "T2000I", user: "alice" }),
  at("2026-10-01T00:40:00Z", { event: "session.end", code: "T2004I", user: "alice" }),
  at("2026-10-02T09:00:00+02:00", { event: "windows.desktop.session.start", code: "TDP00I", user: "bob" }),
  // 23:30 at -02:00 is already November in UTC.
  at("2026-10-31T23:30:00-02:00", { event: "app.session.start", code: "T2007I", user: "carol" }),
  // No time or an unreadable one: never active.
  { event: "session.start", code: "T2000I", user: "ghost" },
  at("yesterday", { event: "session.start", code: "T2000I", user: "ghost" }),
];

const ROWS: ExpectedMauRow[] = [
  { month: "2026-09", user_kind: "human", protocol: null, mau: 4 }, // alice bob carol frank
  { month: "2026-09", user_kind: "human", protocol: "ssh", mau: 1 }, // alice
  { month: "2026-09", user_kind: "human", protocol: "kube", mau: 1 }, // alice
  { month: "2026-09", user_kind: "human", protocol: "db", mau: 1 }, // bob
  { month: "2026-09", user_kind: "bot", protocol: null, mau: 3 }, // bot-ci bot-argocd svc
  { month: "2026-09", user_kind: "bot", protocol: "ssh", mau: 2 }, // bot-ci svc
  { month: "2026-09", user_kind: "bot", protocol: "kube", mau: 1 }, // bot-argocd
  { month: "2026-10", user_kind: "human", protocol: null, mau: 2 }, // alice bob
  { month: "2026-10", user_kind: "human", protocol: "desktop", mau: 1 }, // bob
  { month: "2026-11", user_kind: "human", protocol: null, mau: 1 }, // carol
  { month: "2026-11", user_kind: "human", protocol: "app", mau: 1 }, // carol
];

/** The same counts through the product's own rule functions and codec. */
function viaProductRule(lines: readonly string[]): ExpectedMauRow[] {
  const groups = new Map<string, Set<string>>();
  for (const line of lines) {
    const event = parseEvent(line);
    if (!isActive(event)) continue;
    const month = (eventTime(event) as Date).toISOString().slice(0, 7);
    for (const protocol of [null, protocolOf(event) || null]) {
      const key = JSON.stringify([month, userKind(event), protocol]);
      groups.set(key, (groups.get(key) ?? new Set()).add(getUser(event)));
    }
  }
  const order = [null, "ssh", "kube", "db", "app", "desktop"];
  return [...groups.entries()]
    .map(([key, users]) => {
      const [month, user_kind, protocol] = JSON.parse(key) as [string, "human" | "bot", string | null];
      return { month, user_kind, protocol, mau: users.size };
    })
    .sort(
      (a, b) =>
        a.month.localeCompare(b.month) ||
        (a.user_kind === b.user_kind ? 0 : a.user_kind === "human" ? -1 : 1) ||
        order.indexOf(a.protocol) - order.indexOf(b.protocol),
    );
}

describe("expectedMau", () => {
  it("counts hand-written events as the design says", () => {
    expect(expectedMau(HAND_WRITTEN)).toEqual(ROWS);
  });

  it("reads JSON text the same as objects", () => {
    expect(expectedMau(HAND_WRITTEN.map((e) => JSON.stringify(e)))).toEqual(ROWS);
  });

  it("counts a user once per month however many events", () => {
    const counter = new MauCounter();
    for (let i = 0; i < 5; i += 1) counter.add(HAND_WRITTEN[1] as Record<string, unknown>);
    expect(counter.rows()).toEqual([
      { month: "2026-09", user_kind: "human", protocol: null, mau: 1 },
      { month: "2026-09", user_kind: "human", protocol: "ssh", mau: 1 },
    ]);
  });

  it("gives nothing for no events", () => {
    expect(expectedMau([])).toEqual([]);
  });

  it("matches a count of a small generated set by the product's own rule", () => {
    const lines = [...generateEvents({ events: 80, users: 6, months: 2, seed: 9, start: "2026-01" })];
    const rows = expectedMau(lines);
    expect(rows).toEqual(viaProductRule(lines));
    expect(rows.some((r) => r.protocol === null && r.mau > 0)).toBe(true);
  });

  it("agrees with the product's rule on any generated set", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        (events, users, seed) => {
          const lines = [...generateEvents({ events, users, months: 3, seed, start: "2026-11" })];
          expect(expectedMau(lines)).toEqual(viaProductRule(lines));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("counts the hand-written set by the product's rule too (the oracle and the product agree)", () => {
    const lines = HAND_WRITTEN.map((e) => JSON.stringify(e));
    expect(viaProductRule(lines)).toEqual(ROWS);
  });
});
