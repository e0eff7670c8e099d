import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { InternalError, InvalidArgumentError } from "../../src/errors/errors.js";
import { eventFromJson, parseEvent } from "../../src/events/codec.js";
import { LosslessNumber, type JsonObject } from "../../src/events/json.js";
import type { OneOf } from "../../src/gen/events/events.js";
import { Event, UserKind } from "../../src/gen/tenants/tenants.js";
import { buildActivityEvent, RefusedActivityEventError } from "../../src/reporter/activity-builder.js";
import type { Anonymizer } from "../../src/reporter/anonymizer/anonymizer.js";
import { HmacAnonymizer } from "../../src/reporter/anonymizer/hmac-anonymizer.js";
import { timeBounds } from "../../src/activity/time-bounds.js";
import { validateEvents } from "../../src/tenants/event-validation.js";
import { fixtureEvents, fixtureLines, identifyingStrings } from "./support/fixture-events.js";

const anonymizer = new HmacAnonymizer(new TextEncoder().encode("tenant-key-0001"));
const { USER_KIND_HUMAN: HUMAN, USER_KIND_BOT: BOT } = UserKind;

/** Expected outcome per fixture line: null, or [user, kind, protocol, session kind]. */
const expected: ([string, UserKind, string, string] | null)[] = [
  ["alice@acme.com", HUMAN, "", ""], // user.login
  ["alice@acme.com", HUMAN, "ssh", ""], // session.start
  null, // print
  ["alice@acme.com", HUMAN, "", ""], // session.end
  null, // session.upload
  null, // cert.create: the user is inside "identity"
  ["bob@acme.com", HUMAN, "kube", ""], // session.start on a kube cluster
  ["bob@acme.com", HUMAN, "", ""], // exec
  ["bob@acme.com", HUMAN, "kube", ""], // kube.request
  ["bob@acme.com", HUMAN, "kube", "k8s_port"], // port over kube
  ["carol@globex.io", HUMAN, "db", ""], // db.session.start
  ["carol@globex.io", HUMAN, "", ""], // db.session.query
  ["dave", HUMAN, "app", ""], // app.session.start
  null, // app.session.request
  ["erin@initech.eu", HUMAN, "desktop", ""], // windows.desktop.session.start
  null, // desktop.recording
  null, // session.connect
  ["charlie@acme.com", HUMAN, "ssh", ""], // session.start on OpenSSH
  null, // bot.join: no top-level user
  ["bot-ci-deployer", BOT, "ssh", ""], // session.start by a bot
];

describe("buildActivityEvent on the sample events", () => {
  const events = fixtureEvents();

  it("covers every sample event", () => {
    expect(events).toHaveLength(expected.length);
  });

  it.each(expected.map((e, i) => [i, e] as const))("line %i", (i, want) => {
    const raw = JSON.parse(fixtureLines[i] as string) as Record<string, unknown>;
    const got = buildActivityEvent(events[i] as OneOf, anonymizer);
    if (want === null) {
      expect(got).toBeNull();
      return;
    }
    const [user, userKind, protocol, sessionKind] = want;
    const ms = Date.parse(raw["time"] as string);
    expect(got).toEqual({
      id: raw["uid"],
      time: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 },
      type: raw["event"],
      user: anonymizer.anonymize(user),
      userKind,
      protocol,
      cluster: anonymizer.anonymize(raw["cluster_name"] as string),
      sessionKind,
    });
  });

  it("lets no user name, login, cluster name, address or resource name out", () => {
    const secrets = identifyingStrings();
    expect(secrets).toEqual(
      expect.arrayContaining(["alice@acme.com", "ubuntu", "acme-prod.teleport.sh", "10.1.4.17:3022"]),
    );
    for (const event of events) {
      const built = buildActivityEvent(event, anonymizer);
      if (built === null) continue;
      const bytes = Buffer.from(Event.encode(built).finish());
      for (const secret of secrets) expect(bytes.includes(secret), `${secret} leaked`).toBe(false);
    }
  });
});

describe("buildActivityEvent rules", () => {
  const base = {
    event: "session.start",
    uid: "u-1",
    code: "T2000I",
    time: "2026-09-01T08:03:45.102Z",
    cluster_name: "c",
    user: "alice",
    user_kind: 1,
  };
  const build = (fields: Record<string, unknown>, a: Anonymizer = anonymizer) =>
    buildActivityEvent(parseEvent(JSON.stringify({ ...base, ...fields })), a);

  it.each([
    ["a failed login (code ending W)", { event: "user.login", code: "T1000W" }],
    ["a failed exec (code ending E)", { event: "exec", code: "T3002E" }],
    ["an unsuccessful action", { event: "port", code: "T3003I", success: false }],
    ["an event without a user", { user: undefined }],
    ["an event with an empty user", { user: "" }],
  ])("drops %s", (_name, fields) => {
    expect(build(fields)).toBeNull();
  });

  it("counts a bot by its name even without user_kind", () => {
    expect(build({ user: "bot-x", user_kind: undefined })?.userKind).toBe(UserKind.USER_KIND_BOT);
  });

  it("anonymizes with the anonymizer it is given", () => {
    const other = new HmacAnonymizer(new TextEncoder().encode("another-tenant-key"));
    const built = build({ user: "alice", cluster_name: "prod" }, other);
    expect(built).toMatchObject({ user: other.anonymize("alice"), cluster: other.anonymize("prod") });
    expect(built?.user).not.toBe(anonymizer.anonymize("alice"));
  });

  it("stops (InternalError, not a skip) when the anonymizer's output is not anonymized", () => {
    const broken: Anonymizer = { anonymize: (s) => `anon(${s.length})` };
    expect(() => build({}, broken)).toThrow(InternalError);
    expect(() => build({}, broken)).toThrow(/anonymizer's output is not anonymized/);
  });

  it("drops an event without a valid time (the rule: it makes nobody active)", () => {
    expect(build({ time: undefined })).toBeNull();
    expect(build({ time: "yesterday" })).toBeNull();
  });

  it("refuses an active event whose time a Timestamp cannot hold", () => {
    expect(() => build({ time: "0000-06-01T00:00:00Z" })).toThrow(InvalidArgumentError);
    expect(() => build({ time: "0000-06-01T00:00:00Z" })).toThrow(
      /session.start u-1 makes a user active but has no valid time/,
    );
  });

  it("refuses an active event whose type is too long for the central side", () => {
    expect(() => build({ event: "x".repeat(257) })).toThrow(/type longer than 256 characters/);
  });

  describe("an active event the tenants service would refuse", () => {
    const NOW = Date.parse("2026-09-01T09:00:00Z");
    const refusal = (fields: Record<string, unknown>): RefusedActivityEventError => {
      try {
        buildActivityEvent(parseEvent(JSON.stringify({ ...base, ...fields })), anonymizer, NOW);
      } catch (err) {
        if (err instanceof RefusedActivityEventError) return err;
        throw err;
      }
      throw new Error("not refused");
    };

    it.each([
      ["a type with a space", { event: "session start" }, 'type "session start" is not an audit event type'],
      ["a type of free text", { event: "<b>login</b>" }, "is not an audit event type"],
      ["a time before 2000", { time: "1999-12-31T23:59:59Z" }, "is before 2000-01-01T00:00:00.000Z"],
      ["a time 1 h in the future", { time: "2026-09-01T10:00:00Z" }, "is in the future"],
    ])("refuses %s, naming the event's id and the problem", (_name, fields, problem) => {
      const err = refusal(fields);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.eventId).toBe("u-1");
      expect(err.problems).toEqual([expect.stringContaining(problem)]);
      expect(err.message).toContain("event u-1 ");
      expect(err.message).toContain(problem);
      expect(err.message).not.toContain("alice");
    });

    it("takes the future bound from the clock it is given: 15 minutes ahead passes", () => {
      const at = (time: string) =>
        buildActivityEvent(parseEvent(JSON.stringify({ ...base, time })), anonymizer, NOW);
      expect(at("2026-09-01T09:15:00Z")?.id).toBe("u-1");
      expect(() => at("2026-09-01T09:15:00.001Z")).toThrow(/is in the future/);
    });
  });

  it("builds only events the tenants service accepts, whatever their type and time", () => {
    const NOW = Date.parse("2026-09-01T09:00:00Z");
    const bounds = timeBounds(NOW);
    const types = fc.oneof(
      fc.constantFrom("session.start", "db.session.start", "x", "a:b/c", "T", " ", ""),
      fc.string({ maxLength: 300 }),
    );
    const times = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2030, 0, 1) });
    fc.assert(
      fc.property(types, times, (type, ms) => {
        const event = parseEvent(JSON.stringify({ ...base, event: type, time: new Date(ms).toISOString() }));
        let built;
        try {
          built = buildActivityEvent(event, anonymizer, NOW);
        } catch (err) {
          expect(err).toBeInstanceOf(RefusedActivityEventError);
          return;
        }
        if (built !== null) expect(() => validateEvents([built], bounds, 10)).not.toThrow();
      }),
    );
  });

  it("replaces a uid too long for the central side by the content id", () => {
    expect(build({ uid: "u".repeat(256) })?.id).toBe("u".repeat(256));
    expect(build({ uid: "u".repeat(257) })?.id).toMatch(/^[0-9a-f]{64}$/);
  });

  describe("an event without a uid", () => {
    const withoutUid = (data: Record<string, unknown>): OneOf => eventFromJson(data as JsonObject);
    const { uid: _uid, ...noUid } = base;

    it("gets the SHA-256 hex of its canonical JSON", () => {
      // printf '%s' '{"cluster_name":"c","code":"T2000I","event":"session.start","time":"2026-09-01T08:03:45.102Z","user":"alice","user_kind":1}' | sha256sum
      expect(buildActivityEvent(withoutUid(noUid), anonymizer)?.id).toBe(
        "42ea05a50b4a5d2af38efd6d8a078f69a8d0b718eab087efff8b2de7900674e8",
      );
    });

    it("gets the same id whatever the key order", () => {
      const reordered = Object.fromEntries(Object.entries(noUid).reverse());
      expect(buildActivityEvent(withoutUid(reordered), anonymizer)?.id).toBe(
        buildActivityEvent(withoutUid(noUid), anonymizer)?.id,
      );
    });

    it("keeps every digit of a large index, so neighbouring events get different ids", () => {
      const a = buildActivityEvent(
        withoutUid({ ...noUid, ei: new LosslessNumber("18446744073709551616") }),
        anonymizer,
      );
      const b = buildActivityEvent(
        withoutUid({ ...noUid, ei: new LosslessNumber("18446744073709551617") }),
        anonymizer,
      );
      expect(a?.id).toMatch(/^[0-9a-f]{64}$/);
      expect(a?.id).not.toBe(b?.id);
    });
  });
});
