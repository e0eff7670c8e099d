import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { type Event, UserKind } from "../../src/gen/tenants/tenants.js";
import { EVENT_PROBLEMS } from "./problem-cases.js";
import { eventProblems, validateEvents } from "../../src/tenants/event-validation.js";
import { timeBounds } from "../../src/tenants/time-bounds.js";
import { activityEvent, activityEvents, anonymize, NOW_MS } from "./sample-activity.js";

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
});

describe("validateEvents", () => {
  it("accepts a valid batch, and an empty one", () => {
    expect(() => validateEvents(activityEvents("e", 100), bounds, 10)).not.toThrow();
    expect(() => validateEvents([], bounds, 10)).not.toThrow();
  });

  it("refuses the whole batch naming each bad event by index and id", () => {
    const events = activityEvents("e", 5);
    events[1] = activityEvent({ id: "e-1", protocol: "rdp" });
    events[3] = activityEvent({ id: "", time: undefined });
    expect(() => validateEvents(events, bounds, 10)).toThrow(InvalidArgumentError);
    expect(() => validateEvents(events, bounds, 10)).toThrow(
      'events batch of 5 rejected, nothing stored (3 problems): event 1 (id "e-1"): protocol "rdp" is ' +
        'unknown (expected "", ssh, kube, db, app or desktop); event 3: id is missing; event 3: time is missing',
    );
  });

  it("quotes at most the given number of problems and counts the rest", () => {
    const events = activityEvents("e", 30).map((event) => ({ ...event, protocol: "rdp" }));
    let message = "";
    try {
      validateEvents(events, bounds, 4);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("(30 problems)");
    expect(message.match(/protocol "rdp" is unknown/g)).toHaveLength(4);
    expect(message).toMatch(/; and 26 more$/);
  });
});
