import { describe, expect, it } from "vitest";
import { clusterName, eventCode, eventId, eventTime, eventType } from "../../src/events/metadata.js";
import { parseEvent } from "../../src/events/codec.js";
import { KubeRequest } from "../../src/gen/events/events.js";
import { variantsOf } from "./support/variants.js";

describe("event metadata", () => {
  // [event JSON, type, id, time (ISO), code, cluster]
  // prettier-ignore
  const cases: [string, string, string | undefined, string | undefined, string, string][] = [
    ['{"ei":1,"event":"session.start","uid":"u-1","code":"T2000I","time":"2026-09-03T14:22:05.64Z","cluster_name":"c"}', "session.start", "u-1", "2026-09-03T14:22:05.640Z", "T2000I", "c"],
    ['{"event":"print","time":"2026-09-15T16:45:00Z"}', "print", undefined, "2026-09-15T16:45:00.000Z", "", ""],
    ['{"event":"bot.join","uid":"","time":"2026-09-15T18:45:00+02:00"}', "bot.join", undefined, "2026-09-15T16:45:00.000Z", "", ""],
    ['{"event":"exec","time":"2026-09-15T16:45:00.123456789Z"}', "exec", undefined, "2026-09-15T16:45:00.123Z", "", ""],
    ['{"event":"exec","time":"2026-09-15t16:45:00.5z"}', "exec", undefined, "2026-09-15T16:45:00.500Z", "", ""],
    ['{"event":"exec","time":"2026-13-15T16:45:00Z","uid":7,"code":null}', "exec", undefined, undefined, "", ""],
    ['{"event":"exec","time":1788249825}', "exec", undefined, undefined, "", ""],
    ['{"uid":"u-2","cluster_name":"c"}', "", "u-2", undefined, "", "c"],
  ];

  describe.each(cases)("%s", (text, type, id, time, code, cluster) => {
    it.each(variantsOf(text))("%s", (_variant, event) => {
      expect(eventType(event)).toBe(type);
      expect(eventId(event)).toBe(id);
      expect(eventTime(event)?.toISOString()).toBe(time);
      expect(eventCode(event)).toBe(code);
      expect(clusterName(event)).toBe(cluster);
    });
  });

  it("gives a hand-built typed event without a type the type of its case", () => {
    const value = { ...KubeRequest.decode(new Uint8Array()) };
    expect(eventType({ event: { $case: "kubeRequest", value } })).toBe("kube.request");
    expect(eventType(parseEvent('{"uid":"u"}'))).toBe("");
    expect(eventType({})).toBe("");
  });
});
