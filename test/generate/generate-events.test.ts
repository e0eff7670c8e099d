import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatEvent, parseEvent } from "../../src/events/codec.js";
import { getUser, isActive, userKind } from "../../src/events/active-user.js";
import { eventCode, eventTime, eventType } from "../../src/events/metadata.js";
import { protocolOf } from "../../src/events/protocol.js";
import { OneOf } from "../../src/gen/events/events.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { buildTenant, generateEvents, type Tenant } from "../../src/generate/generate-events.js";
import { resolveOptions, type GenerateOptions } from "../../src/generate/generate-options.js";

const BASE: GenerateOptions = {
  events: 6_000,
  users: 60,
  months: 4,
  seed: 42,
  start: "2026-07",
  clusters: 3,
};

const generate = (options: Partial<GenerateOptions> = {}): string[] => [
  ...generateEvents({ ...BASE, ...options }),
];

type Json = Record<string, unknown>;

// One generated set shared by the read-only checks below.
const lines = generate();
const objects = lines.map((line) => JSON.parse(line) as Json);
const events = lines.map((line) => parseEvent(line));
const users = new Set(events.map((e) => getUser(e)).filter((u) => u !== ""));

const USERLESS = [
  "cert.create",
  "session.upload",
  "print",
  "session.connect",
  "app.session.request",
  "desktop.recording",
];

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe("generateEvents", () => {
  describe("determinism", () => {
    it("gives the same bytes for the same options", () => {
      expect(generate().join("\n")).toBe(lines.join("\n"));
    });

    it("gives different events for a different seed", () => {
      const other = generate({ seed: 43 });
      expect(other.join("\n")).not.toBe(lines.join("\n"));
      expect(other).toHaveLength(lines.length);
    });

    it("is a fresh, independent sequence each call", () => {
      const first = generateEvents({ ...BASE, events: 50 });
      const second = generateEvents({ ...BASE, events: 50 });
      expect([...first]).toEqual([...second]);
    });
  });

  describe("counts and order", () => {
    it("produces exactly the requested number of events", () => {
      expect(lines).toHaveLength(BASE.events);
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 400 }),
          fc.integer({ min: 1, max: 30 }),
          fc.integer({ min: 1, max: 14 }),
          fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          (count, users, months, seed) => {
            const out = [...generateEvents({ events: count, users, months, seed, start: "2025-11" })];
            expect(out).toHaveLength(count);
          },
        ),
        { numRuns: 60 },
      );
    });

    it("is in time order", () => {
      const times = events.map((event) => eventTime(event)?.getTime() ?? NaN);
      for (let i = 1; i < times.length; i += 1) {
        expect(times[i] as number).toBeGreaterThanOrEqual(times[i - 1] as number);
      }
    });

    it("keeps time order for any small run", () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 1000 }), (count, seed) => {
          const times = [...generateEvents({ events: count, months: 2, seed, start: "2024-02" })].map(
            (line) => Date.parse((JSON.parse(line) as Json)["time"] as string),
          );
          expect(times).toEqual([...times].sort((a, b) => a - b));
        }),
        { numRuns: 40 },
      );
    });

    it("covers exactly the requested months, all inside the range", () => {
      const months = new Set(objects.map((o) => (o["time"] as string).slice(0, 7)));
      expect([...months].sort()).toEqual(["2026-07", "2026-08", "2026-09", "2026-10"]);
    });

    it("never goes past the range, even for sessions started on its last evening", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
          const out = [...generateEvents({ events: 400, months: 1, seed, start: "2026-02" })];
          const last = JSON.parse(out[out.length - 1] as string) as Json;
          expect(Date.parse(last["time"] as string)).toBeLessThan(Date.UTC(2026, 2, 1));
        }),
        { numRuns: 20 },
      );
    });

    it("yields lines as it goes: the start of a ten-million-event run comes at once", () => {
      const iterator = generateEvents({ events: 10_000_000, months: 12, seed: 1, start: "2026-01" });
      const first: string[] = [];
      for (const line of iterator) {
        first.push(line);
        if (first.length === 1_000) break;
      }
      expect(first).toHaveLength(1_000);
      expect((JSON.parse(first[0] as string) as Json)["time"]).toMatch(/^2026-01-01T/);
    });
  });

  describe("every line", () => {
    it("parses and round-trips byte for byte through the codec and protobuf", () => {
      for (const [i, line] of lines.entries()) {
        const event = events[i] as OneOf;
        expect(formatEvent(event)).toBe(line);
        expect(formatEvent(OneOf.decode(OneOf.encode(event).finish()))).toBe(line);
      }
    });

    it("has Teleport's metadata: type, RFC 3339 time with at most milliseconds, cluster, index", () => {
      for (const o of objects) {
        expect(typeof o["event"]).toBe("string");
        expect(o["time"]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/);
        expect(o["time"]).not.toMatch(/\.\d*0Z$/);
        expect(o["cluster_name"]).toMatch(/^[a-z]+-[a-z0-9]+\.teleport\.sh$/);
        expect(Number.isInteger(o["ei"])).toBe(true);
      }
    });

    it("has uids as UUIDs, unique, except on print and desktop.recording which have none", () => {
      const uids = objects.filter((o) => o["uid"] !== undefined).map((o) => o["uid"]);
      for (const uid of uids)
        expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(uids).size).toBe(uids.length);
      const without = new Set(objects.filter((o) => o["uid"] === undefined).map((o) => o["event"]));
      expect([...without].sort()).toEqual(["desktop.recording", "print"]);
    });

    it("uses only documentation ranges for client addresses", () => {
      for (const o of objects) {
        const remote = o["addr.remote"];
        if (typeof remote !== "string" || o["event"] === "session.connect") continue;
        expect(remote).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}:\d+$/);
      }
    });
  });

  describe("the mix", () => {
    const types = countBy(objects, (o) => o["event"] as string);
    const protocols = countBy(
      events.filter((e) => protocolOf(e) !== ""),
      (e) => protocolOf(e),
    );
    const protocolTotal = [...protocols.values()].reduce((a, b) => a + b, 0);
    const share = (protocol: string): number => (protocols.get(protocol) ?? 0) / protocolTotal;

    it("has every event type an operator sees", () => {
      for (const type of [
        "session.start",
        "session.end",
        "exec",
        "kube.request",
        "port",
        "db.session.start",
        "db.session.query",
        "app.session.start",
        "app.session.request",
        "windows.desktop.session.start",
        "desktop.recording",
        "user.login",
        "cert.create",
        "session.upload",
        "print",
        "session.connect",
        "access_request.create",
        "plugin.sync",
        "unknown",
      ]) {
        expect(types.get(type) ?? 0, type).toBeGreaterThan(0);
      }
    });

    it("is mostly SSH and Kubernetes, with some databases, apps and desktops", () => {
      expect(share("ssh") + share("kube")).toBeGreaterThan(0.75);
      expect(share("ssh")).toBeGreaterThan(0.15);
      expect(share("kube")).toBeGreaterThan(0.3);
      for (const protocol of ["db", "app"]) {
        expect(share(protocol), protocol).toBeGreaterThan(0.02);
        expect(share(protocol), protocol).toBeLessThan(0.12);
      }
      expect(share("desktop")).toBeGreaterThan(0.005);
      expect(share("desktop")).toBeLessThan(0.06);
    });

    it("has session.start and session.end in pairs, by session id", () => {
      const starts = objects.filter((o) => o["event"] === "session.start").map((o) => o["sid"]);
      const ends = objects.filter((o) => o["event"] === "session.end").map((o) => o["sid"]);
      expect(starts.length).toBeGreaterThan(100);
      expect(new Set(ends)).toEqual(new Set(starts));
    });

    it("has port forwards over both SSH and Kubernetes", () => {
      const ports = objects.filter((o) => o["event"] === "port");
      expect(new Set(ports.map((o) => o["proto"]))).toEqual(new Set(["ssh", "kube"]));
    });

    it("has successful SSO and local logins, and failed ones that do not count", () => {
      const logins = events.filter((e) => eventType(e) === "user.login");
      const codes = countBy(logins, (e) => eventCode(e));
      expect(codes.get("T1000I") ?? 0).toBeGreaterThan(0);
      expect(codes.get("T1001I") ?? 0).toBeGreaterThan(0);
      expect(codes.get("T1000W") ?? 0).toBeGreaterThan(0);
      const failed = logins.filter((e) => eventCode(e).endsWith("W"));
      for (const e of failed) expect(isActive(e)).toBe(false);
      expect(failed.length / logins.length).toBeLessThan(0.3);
      for (const o of objects.filter(
        (o) => o["event"] === "user.login" && (o["code"] as string).endsWith("W"),
      )) {
        expect(o["success"]).toBe(false);
      }
    });

    it("has bots named bot-<name> with user_kind 2, doing SSH and Kubernetes only", () => {
      const bots = events.filter((e) => getUser(e) !== "" && userKind(e) === "bot");
      expect(bots.length).toBeGreaterThan(0);
      for (const e of bots) {
        expect(getUser(e)).toMatch(/^bot-[a-z-]+\d*$/);
      }
      const botObjects = objects.filter((o) => typeof o["user"] === "string" && o["user"].startsWith("bot-"));
      for (const o of botObjects) expect(o["user_kind"]).toBe(2);
      const botProtocols = new Set(bots.map((e) => protocolOf(e)).filter((p) => p !== ""));
      expect(botProtocols).toEqual(new Set(["ssh", "kube"]));
    });

    it("has user-less events, which make nobody active", () => {
      for (const type of USERLESS) {
        const ofType = events.filter((e) => eventType(e) === type);
        expect(ofType.length, type).toBeGreaterThan(0);
        for (const e of ofType) {
          expect(getUser(e)).toBe("");
          expect(isActive(e)).toBe(false);
        }
      }
    });

    it("has types Teleport does not type (plugin.sync), with and without a user", () => {
      const plugin = events.filter((e) => eventType(e) === "plugin.sync");
      expect(plugin.every((e) => e.event?.$case === "unknown")).toBe(true);
      const withUser = plugin.filter((e) => getUser(e) !== "");
      expect(withUser.length).toBeGreaterThan(0);
      expect(withUser.length).toBeLessThan(plugin.length);
      expect(withUser.every((e) => isActive(e) && protocolOf(e) === "")).toBe(true);
      const requests = events.filter((e) => eventType(e) === "access_request.create");
      expect(requests.every((e) => isActive(e) && protocolOf(e) === "")).toBe(true);
    });

    it("has sessions that start on a month's last day and end on the next month's first", () => {
      const startBySid = new Map(
        objects.filter((o) => o["event"] === "session.start").map((o) => [o["sid"], o["time"] as string]),
      );
      const spanning = objects
        .filter((o) => o["event"] === "session.end")
        .filter((o) => {
          const start = startBySid.get(o["sid"]) ?? "";
          return start.slice(0, 7) !== (o["time"] as string).slice(0, 7);
        });
      // One per month boundary at least.
      expect(spanning.length).toBeGreaterThanOrEqual(BASE.months! - 1);
      for (const end of spanning) {
        const start = new Date(startBySid.get(end["sid"]) as string);
        const stop = new Date(end["time"] as string);
        expect(new Date(start.getTime() + 86_400_000).getUTCDate()).toBe(1);
        expect(stop.getUTCDate()).toBe(1);
        expect(end["session_start"]).toBe(startBySid.get(end["sid"]));
      }
    });

    it("has indexes per session: start 0, increasing, upload at MaxInt32", () => {
      const bySid = new Map<unknown, Json[]>();
      for (const o of objects) {
        if (o["sid"] === undefined || o["event"] === "kube.request") continue;
        bySid.set(o["sid"], [...(bySid.get(o["sid"]) ?? []), o]);
      }
      for (const session of bySid.values()) {
        const ei = session.filter((o) => o["event"] !== "session.upload").map((o) => o["ei"] as number);
        expect(ei[0]).toBe(0);
        expect(ei).toEqual([...ei].sort((a, b) => a - b));
        for (const upload of session.filter((o) => o["event"] === "session.upload")) {
          expect(upload["ei"]).toBe(2_147_483_647);
        }
      }
    });
  });

  describe("users", () => {
    it("draws at most the requested number of users", () => {
      expect(users.size).toBeLessThanOrEqual(BASE.users!);
      expect(users.size).toBeGreaterThan(BASE.users! / 3);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 100 }), (u, seed) => {
          const names = new Set(
            [...generateEvents({ events: 500, users: u, seed, months: 2, start: "2026-01" })]
              .map((line) => (JSON.parse(line) as Json)["user"])
              .filter((name) => typeof name === "string"),
          );
          expect(names.size).toBeLessThanOrEqual(u);
        }),
        { numRuns: 30 },
      );
    });

    it("varies by user: some active every month, others in one month only", () => {
      const monthsOf = new Map<string, Set<string>>();
      for (const e of events) {
        if (!isActive(e)) continue;
        const user = getUser(e);
        const month = eventTime(e)?.toISOString().slice(0, 7) ?? "";
        monthsOf.set(user, (monthsOf.get(user) ?? new Set()).add(month));
      }
      const spans = [...monthsOf.values()].map((months) => months.size);
      expect(spans.filter((n) => n === BASE.months).length).toBeGreaterThan(0);
      expect(spans.filter((n) => n === 1).length).toBeGreaterThan(0);
      // A power law: the busiest user does far more than the median one.
      const perUser = [...countBy(events.filter(isActive), getUser).values()].sort((a, b) => b - a);
      expect(perUser[0] as number).toBeGreaterThan(5 * (perUser[Math.floor(perUser.length / 2)] as number));
    });

    it("names clusters as requested", () => {
      expect(new Set(objects.map((o) => o["cluster_name"])).size).toBe(BASE.clusters);
    });
  });

  describe("options", () => {
    it.each([
      [{ events: 0 }, /^events must be a whole number from 1/],
      [{ events: 1.5 }, /^events must/],
      [{ users: 0 }, /^users must/],
      [{ months: 0 }, /^months must/],
      [{ months: 121 }, /^months must/],
      [{ seed: -1 }, /^seed must/],
      [{ seed: 2 ** 32 }, /^seed must/],
      [{ clusters: 0 }, /^clusters must/],
      [{ start: "2026-13" }, /^start must be a month/],
      [{ start: "2026-1" }, /^start must be a month/],
      [{ start: "1969-12" }, /^start must be a month/],
      [{ start: "9999-12", months: 2 }, /^start 9999-12 plus 2 month\(s\) runs past/],
    ] as const)("refuses %j before producing anything", (bad, message) => {
      expect(() => generateEvents({ ...BASE, ...bad })).toThrow(InvalidArgumentError);
      expect(() => generateEvents({ ...BASE, ...bad })).toThrow(message);
    });

    it("keeps the same users and clusters when only the event count changes", () => {
      const tenant = (events: number): Tenant => buildTenant(resolveOptions({ ...BASE, events }));
      expect(tenant(300)).toEqual(tenant(900));
      const population = new Set(
        [...tenant(300).population.humans, ...tenant(300).population.bots].map((a) => a.name),
      );
      expect(population.size).toBe(BASE.users);
      for (const user of users) expect(population.has(user)).toBe(true);
    });
  });
});
