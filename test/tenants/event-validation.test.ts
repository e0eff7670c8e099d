import { describe, expect, it } from "vitest";
import { timeBounds } from "../../src/activity/time-bounds.js";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { validateEvents } from "../../src/tenants/event-validation.js";
import { activityEvent, activityEvents, NOW_MS } from "../activity/sample-activity.js";

const bounds = timeBounds(NOW_MS, Date.parse("2000-01-01T00:00:00Z"), 15 * 60_000);

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
