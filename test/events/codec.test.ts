import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/errors.js";
import { eventFromJson, eventToJson, formatEvent, parseEvent } from "../../src/events/codec.js";
import { LosslessNumber, parseJson, stringifyJson, type JsonObject } from "../../src/events/json.js";
import { OneOf, SessionEnd, UserMetadata } from "../../src/gen/events/events.js";
import { normalize } from "./support/json-equality.js";

const viaBinary = (event: OneOf): OneOf => OneOf.decode(OneOf.encode(event).finish());

/** Both round trips give back exactly `text`. */
function expectExactRoundTrip(text: string): OneOf {
  const event = parseEvent(text);
  expect(formatEvent(event)).toBe(text);
  expect(formatEvent(viaBinary(event))).toBe(text);
  return event;
}

function variant(event: OneOf) {
  if (event.event === undefined) throw new Error("empty event");
  return event.event;
}

/** The typed message of an event that must be typed. */
function typed(event: OneOf) {
  const v = variant(event);
  if (v.$case === "unknown" && v.value.extra?.wrapsData === true) throw new Error("not typed");
  return v.value;
}

/** The Unknown an event Teleport cannot type travels as. */
function wrapper(event: OneOf) {
  const v = variant(event);
  if (v.$case !== "unknown" || v.value.extra?.wrapsData !== true) throw new Error(`typed as ${v.$case}`);
  return v.value;
}

const START = '{"event":"session.start","uid":"u-1","code":"T2000I","time":"2026-09-01T08:03:45.102Z"';

describe("parseEvent rejects what is not a JSON object", () => {
  it.each([
    ["", /not valid JSON/],
    ["{", /not valid JSON/],
    ["not json", /not valid JSON/],
    ['{"event":"x"} trailing', /not valid JSON/],
    ['{"ei":123456789012345678901234,', /not valid JSON/],
    ["[1,2]", /not a JSON object: got an array/],
    ["null", /not a JSON object: got null/],
    ["42", /not a JSON object: got a number/],
    ["12345678901234567890", /not a JSON object: got a number/],
    ['"session.start"', /not a JSON object: got a string/],
    ["true", /not a JSON object: got a boolean/],
  ])("%j", (text, message) => {
    expect(() => parseEvent(text)).toThrow(InvalidArgumentError);
    expect(() => parseEvent(text)).toThrow(message);
  });

  it("eventFromJson rejects a non-object", () => {
    expect(() => eventFromJson([] as unknown as JsonObject)).toThrow(InvalidArgumentError);
  });
});

describe("ei, Teleport's int64 index", () => {
  it.each([
    ["9223372036854775807", 9223372036854775807n],
    ["-9223372036854775808", -9223372036854775808n],
    ["9007199254740993", 9007199254740993n],
    ["2147483647", 2147483647n],
  ])("%s is typed exactly", (text, value) => {
    const event = expectExactRoundTrip(`{"ei":${text},"event":"print","time":"2026-09-01T08:03:45.355Z"}`);
    expect(typed(event).metadata?.index).toBe(value);
    expect(typed(viaBinary(event)).metadata?.index).toBe(value);
  });

  it.each(["18446744073709551615", "9223372036854775808", "-9223372036854775809", "1.5", "1e400"])(
    "%s does not fit int64 (or a double) and survives in extra",
    (text) => {
      const event = expectExactRoundTrip(`{"ei":${text},"event":"session.upload","uid":"x"}`);
      const message = typed(event);
      expect(message.metadata?.index).toBeUndefined();
      expect(Object.keys(message.extra?.fields ?? {})).toEqual(["ei"]);
      expect(eventToJson(event)["ei"]).toEqual(new LosslessNumber(text));
    },
  );

  it("18446744073709551615 survives in an event of an unknown type too", () => {
    const text = '{"ei":18446744073709551615,"event":"plugin.sync","nested":{"n":[1,18446744073709551615]}}';
    const event = expectExactRoundTrip(text);
    expect(wrapper(event).data).toBe(text);
    expect(wrapper(event).metadata?.index).toBeUndefined();
  });
});

describe("keys that do not fit their typed field stay in extra, in place", () => {
  it.each([
    ["a number where a string is due", `${START},"user":42}`, "user"],
    ["a string where a bool is due", `${START},"user":"a","success":"false"}`, "success"],
    ["null for a list", `${START},"user":"a","initial_command":null}`, "initial_command"],
    ["an empty list", `${START},"user":"a","initial_command":[]}`, "initial_command"],
    ["an empty map", `${START},"user":"a","server_labels":{}}`, "server_labels"],
    ["a map with a non-string value", `${START},"user":"a","server_labels":{"a":1}}`, "server_labels"],
    ["an int32 out of range", `${START},"user":"a","user_kind":2147483648}`, "user_kind"],
    ["a fractional int32", `${START},"user":"a","user_kind":1.5}`, "user_kind"],
    [
      "a trailing zero in the time's fraction",
      `{"event":"session.start","time":"2026-09-03T14:22:05.640Z"}`,
      "time",
    ],
    ["a time with an offset", `{"event":"session.start","time":"2026-09-03T14:22:05+00:00"}`, "time"],
    ["an impossible date", `{"event":"session.start","time":"2026-02-30T14:22:05Z"}`, "time"],
    ["unpadded base64", `{"event":"desktop.recording","message":"GwA"}`, "message"],
    [
      "a huge number inside a typed Struct",
      `{"event":"user.login","attributes":{"n":123456789012345678901}}`,
      "attributes",
    ],
  ])("%s", (_name, text, key) => {
    const event = expectExactRoundTrip(text);
    const extra = typed(event).extra;
    expect(Object.keys(extra?.fields ?? {})).toContain(key);
  });

  it("keeps an unknown key", () => {
    const event = expectExactRoundTrip(`${START},"user":"a","tdpb_message":null,"x":{"y":[1,"z",true]}}`);
    expect(typed(event).extra?.fields).toEqual({ tdpb_message: null, x: { y: [1, "z", true] } });
  });

  it("records exact numbers by JSON Pointer, escaping ~ and /", () => {
    const event = expectExactRoundTrip(`${START},"a/b~c":{"d":0.1000000000000000055511151231257827}}`);
    expect(typed(event).extra?.exactNumbers).toEqual({
      "/a~1b~0c/d": "0.1000000000000000055511151231257827",
    });
  });
});

describe("typed fields", () => {
  it("reads Teleport's JSON into the typed message", () => {
    const event = parseEvent(
      `${START},"cluster_name":"c","user":"bob","user_kind":1,"sid":"s-1","server_labels":{"env":"prod"},` +
        `"proto":"kube","kubernetes_cluster":"eks","kubernetes_users":["bob"],"initial_command":[""]}`,
    );
    const v = variant(event);
    expect(v.$case).toBe("sessionStart");
    if (v.$case !== "sessionStart") return;
    expect(v.value).toMatchObject({
      metadata: { type: "session.start", id: "u-1", code: "T2000I", clusterName: "c" },
      user: { user: "bob", userKind: 1 },
      session: { sessionId: "s-1" },
      server: { serverLabels: { env: "prod" } },
      connection: { protocol: "kube" },
      kubernetesCluster: { kubernetesCluster: "eks", kubernetesUsers: ["bob"] },
      initialCommand: [""],
    });
    expect(v.value.metadata?.time).toEqual({
      seconds: BigInt(Date.UTC(2026, 8, 1, 8, 3, 45) / 1000),
      nanos: 102_000_000,
    });
    expect(v.value.extra).toBeUndefined();
  });

  it("decodes base64 bytes and int64 delays", () => {
    const event = expectExactRoundTrip('{"ei":2,"event":"desktop.recording","message":"GwAAAA==","ms":202}');
    const v = variant(event);
    if (v.$case !== "desktopRecording") throw new Error(v.$case);
    expect([...(v.value.message ?? [])]).toEqual([0x1b, 0, 0, 0]);
    expect(v.value.delayMilliseconds).toBe(202n);
  });

  it("writes the type of a hand-built event that leaves it out", () => {
    const value = SessionEnd.decode(new Uint8Array());
    value.user = { ...UserMetadata.decode(new Uint8Array()), user: "a" };
    expect(formatEvent({ event: { $case: "sessionEnd", value } })).toBe('{"event":"session.end","user":"a"}');
  });

  it("reads a working directory from Teleport's key", () => {
    const event = expectExactRoundTrip(
      '{"event":"sftp","working_directory":"/home/a","path":"x","action":3}',
    );
    const v = variant(event);
    if (v.$case !== "sftp") throw new Error(v.$case);
    expect(v.value).toMatchObject({ workingDirectory: "/home/a", path: "x", action: 3 });
    expect(v.value.extra).toBeUndefined();
  });

  it("reads nested messages, repeated messages and label values whole", () => {
    const text =
      '{"event":"cert.create","identity":{"user":"a","roles":["r"],"traits":{"logins":["root"]},' +
      '"route_to_app":{"name":"grafana"}},"user_traits":{"x":[]}}';
    const event = expectExactRoundTrip(text);
    const v = variant(event);
    if (v.$case !== "certificateCreate") throw new Error(v.$case);
    expect(v.value.identity).toMatchObject({
      user: "a",
      roles: ["r"],
      traits: { values: { logins: { values: ["root"] } } },
    });
    expect(Object.keys(v.value.extra?.fields ?? {})).toEqual(["user_traits"]);
  });

  it("keeps a nested message whole in extra when one of its keys does not fit", () => {
    const event = expectExactRoundTrip('{"event":"cert.create","identity":{"user":"a","roles":[]}}');
    const v = variant(event);
    if (v.$case !== "certificateCreate") throw new Error(v.$case);
    expect(v.value.identity).toBeUndefined();
    expect(v.value.extra?.fields).toEqual({ identity: { user: "a", roles: [] } });
  });

  it("keeps a key two embedded messages share at one depth in extra, as Go's JSON drops it", () => {
    const event = expectExactRoundTrip('{"event":"access_list.review","success":true,"message":"m"}');
    const v = variant(event);
    if (v.$case !== "accessListReview") throw new Error(v.$case);
    expect(v.value.status?.success).toBe(true);
    expect(Object.keys(v.value.extra?.fields ?? {})).toEqual(["message"]);
  });

  it("keeps a string where Teleport's message has a number in extra", () => {
    const event = expectExactRoundTrip('{"event":"session.network","dst_addr":"10.0.0.1","dst_port":"3000"}');
    const v = variant(event);
    if (v.$case !== "sessionNetwork") throw new Error(v.$case);
    expect(v.value.dstAddr).toBe("10.0.0.1");
    expect(v.value.extra?.fields).toEqual({ dst_port: "3000" });
  });

  it("keeps an opaque resource of another Teleport package in extra", () => {
    const event = expectExactRoundTrip('{"event":"lock.created","name":"l","target":{"user":"a"}}');
    expect(Object.keys(typed(event).extra?.fields ?? {})).toEqual(["target"]);
  });

  it("formats an empty OneOf as {}", () => {
    expect(formatEvent({})).toBe("{}");
  });
});

describe("what a Struct cannot carry", () => {
  it.each([
    ["a lone surrogate", '{"event":"session.start","user":"a\\ud800","x":"\\udfff"}'],
    ["a lone surrogate in a key", '{"event":"bot.join","\\ud800":1}'],
    ["a lone surrogate in an unknown type", '{"event":"x\\ud800","\\udfff":"\\ud800"}'],
    ["a __proto__ key", '{"event":"session.start","__proto__":{"a":1},"y":{"__proto__":[2]}}'],
    ["a __proto__ key in an unknown event", '{"event":"plugin.sync","__proto__":{"a":18446744073709551615}}'],
  ])("%s survives both round trips", (_name, text) => {
    const object = parseJson(text);
    const event = parseEvent(text);
    expect(normalize(parseJson(formatEvent(event)))).toEqual(normalize(object));
    expect(normalize(parseJson(formatEvent(viaBinary(event))))).toEqual(normalize(object));
  });

  it("deep nesting travels as JSON text, so protobuf decoders accept it", () => {
    const deep = (depth: number): string => (depth === 0 ? "1" : `{"a":[${deep(depth - 1)}]}`);
    for (const type of ["session.start", "plugin.sync"]) {
      const text = `{"event":"${type}","shallow":${deep(3)},"deep":${deep(60)}}`;
      const event = parseEvent(text);
      expect(formatEvent(viaBinary(event))).toBe(text);
    }
  });
});

describe("event types Teleport's server does not type", () => {
  it("travel as Teleport's Unknown, exactly as its server builds it, and come back as they were", () => {
    const text =
      '{"ei":7,"event":"plugin.sync","uid":"u-1","code":"TPL01I","time":"2026-09-01T08:03:45.1Z","user":"a"}';
    const event = expectExactRoundTrip(text);
    const unknown = wrapper(viaBinary(event));
    expect(unknown.metadata).toEqual({
      index: 7n,
      type: "unknown",
      id: "u-1",
      code: "TCC00E",
      time: { seconds: BigInt(Date.UTC(2026, 8, 1, 8, 3, 45) / 1000), nanos: 100_000_000 },
      clusterName: undefined,
    });
    expect(unknown.unknownType).toBe("plugin.sync");
    expect(unknown.unknownCode).toBe("TPL01I");
    expect(JSON.parse(unknown.data ?? "")).toEqual(JSON.parse(text));
    expect(eventToJson(event)).toEqual(parseJson(text));
  });

  it("are never confused with a real unknown event Teleport wrote to the log", () => {
    const original = '{"event":"x.y","code":"TX001I","user":"a"}';
    const real =
      '{"event":"unknown","code":"TCC00E","unknown_event":"x.y","unknown_code":"TX001I","data":' +
      JSON.stringify(original) +
      "}";
    const realEvent = expectExactRoundTrip(real);
    const wrapped = expectExactRoundTrip(original);
    // Both are Unknown with the same Teleport-visible fields; only the project's mark tells them apart.
    for (const event of [realEvent, wrapped]) {
      const v = variant(viaBinary(event));
      expect(v.$case).toBe("unknown");
      if (v.$case !== "unknown") return;
      expect(v.value).toMatchObject({ metadata: { type: "unknown", code: "TCC00E" }, unknownType: "x.y" });
    }
    expect(typed(realEvent).extra).toBeUndefined();
    expect(wrapper(wrapped).extra?.wrapsData).toBe(true);
    expect(formatEvent(viaBinary(realEvent))).toBe(real);
    expect(formatEvent(viaBinary(wrapped))).toBe(original);
  });

  it.each([
    '{"a":1}',
    '{"event":7}',
    '{"event":null,"user":"x"}',
    "{}",
    '{"event":"app_auth_config.verify.success"}',
  ])("%s has the original type, or none", (text) => {
    const object = JSON.parse(text) as { event?: unknown };
    const unknown = wrapper(expectExactRoundTrip(text));
    expect(unknown.unknownType).toBe(typeof object.event === "string" ? object.event : "");
  });

  it("an Unknown marked as wrapping data that is not a JSON object is formatted as itself", () => {
    const event = parseEvent('{"event":"plugin.sync"}');
    const unknown = wrapper(event);
    unknown.data = "[1]";
    expect(JSON.parse(formatEvent(viaBinary(event)))).toMatchObject({ event: "unknown", data: "[1]" });
  });
});

describe("text", () => {
  it("formats one line", () => {
    const event = parseEvent('{"event":"db.session.query","db_query":"SELECT 1;\\nSELECT 2;","x":"a\\nb"}');
    expect(formatEvent(event)).not.toContain("\n");
  });

  it("takes the last of duplicate keys, on both parsers", () => {
    expect(formatEvent(parseEvent('{"event":"bot.join","a":1,"a":2}'))).toBe('{"event":"bot.join","a":2}');
    expect(formatEvent(parseEvent('{"event":"bot.join","a":12345678901234567890,"a":2}'))).toBe(
      '{"event":"bot.join","a":2}',
    );
  });

  it("eventToJson gives every number as exact text", () => {
    const json = eventToJson(parseEvent('{"ei":5,"event":"print","ci":1,"bytes":412,"x":[0.5,-0]}'));
    expect(stringifyJson(json)).toBe('{"ei":5,"event":"print","ci":1,"bytes":412,"x":[0.5,0]}');
  });
});
