import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { getUser, isActive, userKind } from "../../src/events/active-user.js";
import { eventFromJson, eventToJson, formatEvent, parseEvent } from "../../src/events/codec.js";
import { parseJson, stringifyJson, type JsonObject } from "../../src/events/json.js";
import { clusterName, eventCode, eventId, eventTime, eventType } from "../../src/events/metadata.js";
import { protocolOf, sessionKind } from "../../src/events/protocol.js";
import { OneOf } from "../../src/gen/events/events.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/teleport-events.jsonl", import.meta.url));
const lines = readFileSync(FIXTURES, "utf8")
  .split("\n")
  .filter((line) => line !== "");

interface Expected {
  type: string;
  $case: string;
  user: string;
  active: boolean;
  kind: "human" | "bot";
  protocol: string;
  sessionKind?: string;
  code: string;
  cluster: string;
}

// Written out from the product design's event table and "Who is active", one row per fixture line.
const ACME = "acme-prod.teleport.sh";
// prettier-ignore
const expected: Expected[] = [
  { type: "user.login", $case: "userLogin", user: "alice@acme.com", active: true, kind: "human", protocol: "", code: "T1001I", cluster: ACME },
  { type: "session.start", $case: "sessionStart", user: "alice@acme.com", active: true, kind: "human", protocol: "ssh", code: "T2000I", cluster: ACME },
  { type: "print", $case: "sessionPrint", user: "", active: false, kind: "human", protocol: "", code: "", cluster: ACME },
  { type: "session.end", $case: "sessionEnd", user: "alice@acme.com", active: true, kind: "human", protocol: "", code: "T2004I", cluster: ACME },
  { type: "session.upload", $case: "sessionUpload", user: "", active: false, kind: "human", protocol: "", code: "T2005I", cluster: ACME },
  // The certificate's user is inside "identity": not a top-level user.
  { type: "cert.create", $case: "certificateCreate", user: "", active: false, kind: "human", protocol: "", code: "TC000I", cluster: ACME },
  { type: "session.start", $case: "sessionStart", user: "bob@acme.com", active: true, kind: "human", protocol: "kube", code: "T2000I", cluster: ACME },
  { type: "exec", $case: "exec", user: "bob@acme.com", active: true, kind: "human", protocol: "", code: "T3002I", cluster: ACME },
  { type: "kube.request", $case: "kubeRequest", user: "bob@acme.com", active: true, kind: "human", protocol: "kube", code: "T3009I", cluster: ACME },
  { type: "port", $case: "portForward", user: "bob@acme.com", active: true, kind: "human", protocol: "kube", sessionKind: "k8s_port", code: "T3003I", cluster: ACME },
  { type: "db.session.start", $case: "databaseSessionStart", user: "carol@globex.io", active: true, kind: "human", protocol: "db", code: "TDB00I", cluster: "globex.teleport.sh" },
  { type: "db.session.query", $case: "databaseSessionQuery", user: "carol@globex.io", active: true, kind: "human", protocol: "", code: "TDB02I", cluster: "globex.teleport.sh" },
  // An HTTP app (app_uri http://…), not app_tcp.
  { type: "app.session.start", $case: "appSessionStart", user: "dave", active: true, kind: "human", protocol: "app", code: "T2007I", cluster: "globex.teleport.sh" },
  { type: "app.session.request", $case: "appSessionRequest", user: "", active: false, kind: "human", protocol: "", code: "T2009I", cluster: "globex.teleport.sh" },
  { type: "windows.desktop.session.start", $case: "windowsDesktopSessionStart", user: "erin@initech.eu", active: true, kind: "human", protocol: "desktop", code: "TDP00I", cluster: "initech-eu.teleport.sh" },
  { type: "desktop.recording", $case: "desktopRecording", user: "", active: false, kind: "human", protocol: "", code: "", cluster: "initech-eu.teleport.sh" },
  { type: "session.connect", $case: "sessionConnect", user: "", active: false, kind: "human", protocol: "", code: "T2010I", cluster: "acme-staging.teleport.sh" },
  { type: "session.start", $case: "sessionStart", user: "charlie@acme.com", active: true, kind: "human", protocol: "ssh", code: "T2000I", cluster: "acme-staging.teleport.sh" },
  // Its bot is named in "user_name"; BotJoin has no UserMetadata, so there is no top-level user.
  { type: "bot.join", $case: "botJoin", user: "", active: false, kind: "human", protocol: "", code: "TJ001I", cluster: ACME },
  { type: "session.start", $case: "sessionStart", user: "bot-ci-deployer", active: true, kind: "bot", protocol: "ssh", code: "T2000I", cluster: ACME },
];

const viaBinary = (event: OneOf): OneOf => OneOf.decode(OneOf.encode(event).finish());

describe("the sample Teleport events", () => {
  it("has one expectation per fixture line", () => {
    expect(lines).toHaveLength(expected.length);
  });

  describe.each(lines.map((line, i) => [i + 1, expected[i]?.type, line, expected[i] as Expected] as const))(
    "line %i (%s)",
    (_n, _type, line, want) => {
      const source = parseJson(line) as JsonObject;
      const event = parseEvent(line);

      it("is typed as its type and round-trips byte for byte", () => {
        expect(event.event?.$case).toBe(want.$case);
        expect(formatEvent(event)).toBe(line);
        expect(formatEvent(viaBinary(event))).toBe(line);
        expect(stringifyJson(eventToJson(eventFromJson(source)))).toBe(line);
        expect(formatEvent(viaBinary(eventFromJson(source)))).toBe(line);
      });

      it("needs no extra field except for keys the proto does not type", () => {
        const value = event.event?.value;
        const extra = value !== undefined && "extra" in value ? value.extra : undefined;
        expect(
          Object.keys(extra?.fields ?? {}).every((key) => ["certificate", "tdpb_message"].includes(key)),
        ).toBe(true);
        expect(extra?.exactNumbers ?? {}).toEqual({});
      });

      it("reads the metadata", () => {
        expect(eventType(event)).toBe(want.type);
        expect(eventCode(event)).toBe(want.code);
        expect(clusterName(event)).toBe(want.cluster);
        expect(eventId(event)).toBe(source["uid"]);
        expect(eventTime(event)?.toISOString()).toBe(new Date(source["time"] as string).toISOString());
      });

      it("applies who-is-active and the protocol table", () => {
        for (const e of [event, viaBinary(event)]) {
          expect(getUser(e)).toBe(want.user);
          expect(isActive(e)).toBe(want.active);
          expect(userKind(e)).toBe(want.kind);
          expect(protocolOf(e)).toBe(want.protocol);
          expect(sessionKind(e)).toBe(want.sessionKind ?? "");
        }
      });
    },
  );
});
