import { describe, expect, it } from "vitest";
import { getUser, isActive, userKind } from "../../src/events/active-user.js";
import { parseEvent } from "../../src/events/codec.js";
import { variantsOf } from "./support/variants.js";

const T = '"time":"2026-09-03T14:22:05.64Z"';

describe("who is active", () => {
  // [event JSON, getUser, isActive, userKind]
  // prettier-ignore
  const cases: [string, string, boolean, "human" | "bot"][] = [
    [`{"event":"session.start","code":"T2000I",${T},"user":"alice"}`, "alice", true, "human"],
    [`{"event":"user.login","code":"T1000I",${T},"user":"alice","success":true}`, "alice", true, "human"],
    // Failed or denied.
    [`{"event":"user.login","code":"T1000W",${T},"user":"alice","success":false}`, "alice", false, "human"],
    [`{"event":"user.login","code":"T1001W",${T},"user":"alice"}`, "alice", false, "human"],
    [`{"event":"port","code":"T3003E",${T},"user":"alice"}`, "alice", false, "human"],
    [`{"event":"db.session.start","code":"TDB00I",${T},"user":"alice","success":false}`, "alice", false, "human"],
    // success on a type whose message has no status field (kept in extra) still counts.
    [`{"event":"session.start","code":"T2000I",${T},"user":"alice","success":false}`, "alice", false, "human"],
    // Only the boolean false is a failure.
    [`{"event":"exec","code":"T3002I",${T},"user":"alice","success":"false"}`, "alice", true, "human"],
    // No time, or no usable one.
    [`{"event":"session.start","code":"T2000I","user":"alice"}`, "alice", false, "human"],
    [`{"event":"session.start","code":"T2000I","time":"yesterday","user":"alice"}`, "alice", false, "human"],
    [`{"event":"session.start","code":"T2000I","time":"2026-09-03T14:22:05.640Z","user":"alice"}`, "alice", true, "human"],
    // No user.
    [`{"event":"session.start","code":"T2000I",${T},"user":""}`, "", false, "human"],
    [`{"event":"session.start","code":"T2000I",${T}}`, "", false, "human"],
    [`{"event":"session.start","code":"T2000I",${T},"user":42}`, "", false, "human"],
    // The user-less types, even with a top-level user key.
    [`{"event":"app.session.request","code":"T2009I",${T},"user":"alice"}`, "", false, "human"],
    [`{"event":"cert.create","code":"TC000I",${T},"user":"alice","identity":{"user":"alice"}}`, "", false, "human"],
    [`{"event":"desktop.recording",${T},"user":"alice"}`, "", false, "human"],
    [`{"event":"print",${T},"user":"alice"}`, "", false, "human"],
    [`{"event":"session.upload","code":"T2005I",${T},"user":"alice"}`, "", false, "human"],
    [`{"event":"session.connect","code":"T2010I",${T},"user":"alice"}`, "", false, "human"],
    [`{"event":"unknown","code":"TCC00E",${T},"unknown_event":"x","data":"{\\"user\\":\\"alice\\"}"}`, "", false, "human"],
    [`{"event":"unknown","code":"TCC00I",${T},"user":"alice"}`, "", false, "human"],
    // Types with no typed message: the top-level string user, if any.
    [`{"event":"role.created","code":"T9000I",${T},"user":"admin"}`, "admin", true, "human"],
    [`{"event":"bot.join","code":"TJ001I",${T},"user_name":"bot-ci"}`, "", false, "human"],
    [`{"code":"T9000I",${T},"user":"admin"}`, "admin", true, "human"],
    // Bots.
    [`{"event":"session.start","code":"T2000I",${T},"user":"bot-ci","user_kind":2}`, "bot-ci", true, "bot"],
    [`{"event":"session.start","code":"T2000I",${T},"user":"ci","user_kind":2}`, "ci", true, "bot"],
    [`{"event":"session.start","code":"T2000I",${T},"user":"bot-ci","user_kind":1}`, "bot-ci", true, "bot"],
    [`{"event":"session.start","code":"T2000I",${T},"user":"ci","user_kind":2.0}`, "ci", true, "bot"],
    [`{"event":"session.start","code":"T2000I",${T},"user":"ci","user_kind":"2"}`, "ci", true, "human"],
    [`{"event":"session.start","code":"T2000I",${T},"user":"robot","user_kind":1}`, "robot", true, "human"],
    [`{"event":"role.created","code":"T9000I",${T},"user":"ci","user_kind":2}`, "ci", true, "bot"],
  ];

  describe.each(cases)("%s", (text, user, active, kind) => {
    it.each(variantsOf(text))("%s", (_variant, event) => {
      expect(getUser(event)).toBe(user);
      expect(isActive(event)).toBe(active);
      expect(userKind(event)).toBe(kind);
    });
  });

  it("compares user_kind by exact value", () => {
    const event = parseEvent(`{"event":"session.start",${T},"user":"ci","user_kind":2.0000000000000000001}`);
    expect(userKind(event)).toBe("human");
  });
});
