import { describe, expect, it } from "vitest";
import { protocolOf, sessionKind } from "../../src/events/protocol.js";
import { variantsOf } from "./support/variants.js";

describe("protocol and session kind", () => {
  // [event JSON, protocol, session kind]
  // prettier-ignore
  const cases: [string, string, string][] = [
    ['{"event":"session.start","kubernetes_cluster":"eks","proto":"kube"}', "kube", ""],
    ['{"event":"session.start","kubernetes_cluster":"","proto":"ssh"}', "ssh", ""],
    ['{"event":"session.start","proto":"ssh"}', "ssh", ""],
    ['{"event":"session.start","proto":"kube"}', "ssh", ""],
    ['{"event":"session.start","kubernetes_cluster":7}', "ssh", ""],
    ['{"event":"port","proto":"kube","addr":"8080"}', "kube", "k8s_port"],
    ['{"event":"port","proto":"ssh","addr":"localhost:5432"}', "ssh", "ssh_port"],
    ['{"event":"port","addr":"localhost:5432"}', "ssh", "ssh_port"],
    ['{"event":"kube.request","verb":"GET"}', "kube", ""],
    ['{"event":"sftp","path":"/tmp"}', "ssh", ""],
    ['{"event":"db.session.start","db_protocol":"postgres"}', "db", ""],
    ['{"event":"app.session.start","app_uri":"tcp://10.0.0.1:5432"}', "app", "app_tcp"],
    ['{"event":"app.session.start","app_uri":"http://grafana:3000"}', "app", ""],
    ['{"event":"app.session.start"}', "app", ""],
    ['{"event":"windows.desktop.session.start","proto":"tdp"}', "desktop", ""],
    ['{"event":"exec","proto":"kube","kubernetes_cluster":"eks"}', "", ""],
    ['{"event":"session.end","proto":"ssh"}', "", ""],
    ['{"event":"user.login","method":"saml"}', "", ""],
    ['{"event":"db.session.query","db_protocol":"postgres"}', "", ""],
    ['{"event":"app.session.request","app_uri":"tcp://x"}', "", ""],
    ['{"event":"bot.join"}', "", ""],
    ['{"proto":"ssh"}', "", ""],
  ];

  describe.each(cases)("%s", (text, protocol, kind) => {
    it.each(variantsOf(text))("%s", (_variant, event) => {
      expect(protocolOf(event)).toBe(protocol);
      expect(sessionKind(event)).toBe(kind);
    });
  });
});
