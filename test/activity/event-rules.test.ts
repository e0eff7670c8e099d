import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EVENT_TYPE_PATTERN,
  eventProblems,
  MAX_FIELD_LENGTH,
  SESSION_KIND_PATTERN,
} from "../../src/activity/event-rules.js";
import { timeBounds } from "../../src/activity/time-bounds.js";
import { type Event, UserKind } from "../../src/gen/tenants/tenants.js";
import { EVENT_PROBLEMS } from "./problem-cases.js";
import { activityEvent, activityEvents, anonymize, NOW_MS, timestamp } from "./sample-activity.js";

const bounds = timeBounds(NOW_MS, Date.parse("2000-01-01T00:00:00Z"), 15 * 60_000);

describe("eventProblems", () => {
  it("finds nothing wrong with what a reporter sends", () => {
    for (const event of activityEvents("e", 60)) expect(eventProblems(event, bounds)).toEqual([]);
  });

  it.each([
    ["every protocol", ["", "ssh", "kube", "db", "app", "desktop"].map((protocol) => ({ protocol }))],
    ["bots", [{ userKind: UserKind.USER_KIND_BOT }]],
    ["session kinds", ["k8s_port", "app_tcp", "ssh_port"].map((sessionKind) => ({ sessionKind }))],
    [
      "types it has never heard of",
      ["windows.desktop.session.start", "access_request.create", "okta.assignment.process", "x:y/z"].map(
        (type) => ({ type }),
      ),
    ],
    ["a content id", [{ id: "a".repeat(64) }]],
    ["an id of the longest length", [{ id: "x".repeat(256) }]],
    ["a type of the longest length", [{ type: `a${".".repeat(MAX_FIELD_LENGTH - 1)}` }]],
    ["a session kind of the longest length", [{ sessionKind: "k".repeat(64) }]],
    ["the earliest time", [{ time: timestamp("2000-01-01T00:00:00Z") }]],
    ["a time exactly 15 minutes ahead", [{ time: timestamp("2026-09-15T12:15:00Z") }]],
  ])("accepts %s", (_name, variants: Partial<Event>[]) => {
    for (const overrides of variants) expect(eventProblems(activityEvent(overrides), bounds)).toEqual([]);
  });

  it.each(EVENT_PROBLEMS)("names %s", (_name, overrides, message) => {
    const problems = eventProblems(activityEvent(overrides), bounds);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("names every problem of one event", () => {
    const problems = eventProblems(activityEvent({ id: "", user: "bob", protocol: "ftp" }), bounds);
    expect(problems).toEqual([
      "id is missing",
      expect.stringContaining("user is not anonymized"),
      expect.stringContaining('protocol "ftp" is unknown'),
    ]);
  });

  it("never quotes a user or cluster back, whatever it is", () => {
    // A control character marks the values: the messages' own text never contains one.
    const marked = (mark: string) => fc.string().map((s) => `${mark}${s}`);
    fc.assert(
      fc.property(marked("\u0001"), marked("\u0002"), (user, cluster) => {
        const text = eventProblems(activityEvent({ user, cluster }), bounds).join("\n");
        return !text.includes(user) && !text.includes(cluster);
      }),
    );
  });

  it("accepts anonymized users and clusters of any name", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (user, cluster) => {
        const event = activityEvent({ user: anonymize(user), cluster: anonymize(cluster) });
        return eventProblems(event, bounds).length === 0;
      }),
    );
  });

  it("says how long a type too long is", () => {
    const [problem] = eventProblems(activityEvent({ type: "t".repeat(300) }), bounds);
    expect(problem).toContain("300 characters: a type longer than 256 characters is refused");
  });

  it("refuses a session kind over 64 characters", () => {
    expect(eventProblems(activityEvent({ sessionKind: "k".repeat(65) }), bounds)).toEqual([
      expect.stringContaining("is not a session kind"),
    ]);
  });

  it("agrees with the type and session kind patterns on any string", () => {
    const typeRefused = (type: string) =>
      eventProblems(activityEvent({ type }), bounds).some((p) => p.startsWith("type "));
    const kindRefused = (sessionKind: string) =>
      eventProblems(activityEvent({ sessionKind }), bounds).some((p) => p.startsWith("session_kind "));
    const strings = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.stringMatching(/^[A-Za-z0-9._:/ -]{0,300}$/),
      fc.stringMatching(/^[a-z0-9_.-]{0,70}$/),
    );
    fc.assert(
      fc.property(strings, (value) => {
        expect(typeRefused(value)).toBe(!EVENT_TYPE_PATTERN.test(value));
        expect(kindRefused(value)).toBe(!SESSION_KIND_PATTERN.test(value));
      }),
    );
  });
});

describe("timeBounds defaults", () => {
  it("are the window both sides check: 2000-01-01 to 15 minutes past the clock", () => {
    expect(timeBounds(NOW_MS)).toEqual(bounds);
    const now = Date.parse("2031-02-03T04:05:06Z");
    expect(
      eventProblems(activityEvent({ time: timestamp("2031-02-03T04:20:06Z") }), timeBounds(now)),
    ).toEqual([]);
    expect(
      eventProblems(activityEvent({ time: timestamp("2031-02-03T04:20:06.001Z") }), timeBounds(now)),
    ).toEqual([expect.stringContaining("is in the future")]);
  });
});
