import { describe, expect, it } from "vitest";
import { parseMonthRange } from "../../src/mau/calendar.js";
import { completeMonthly, completeRolling } from "../../src/mau/complete-rows.js";
import { checkMonthly, checkRolling } from "../../src/mau/usage-query.js";
import type { MauRow } from "../../src/mau/usage-rows.js";

const row = (
  tenant: string,
  month: string,
  protocol: string | null,
  mau: number,
  kind: "human" | "bot" = "human",
): MauRow => ({
  tenant,
  month,
  user_kind: kind,
  protocol,
  mau,
});

describe("completeMonthly", () => {
  it("fills every month, kind and protocol with zeros where nothing was found", () => {
    const query = checkMonthly({ months: parseMonthRange("2026-09..2026-10") });
    const rows = completeMonthly(query, [row("acme", "2026-10", null, 2), row("acme", "2026-10", "kube", 1)]);
    expect(rows.map((r) => `${r.month} ${r.protocol ?? "all"} ${r.mau}`)).toEqual([
      "2026-09 all 0",
      "2026-09 ssh 0",
      "2026-09 kube 0",
      "2026-09 db 0",
      "2026-09 app 0",
      "2026-09 desktop 0",
      "2026-10 all 2",
      "2026-10 ssh 0",
      "2026-10 kube 1",
      "2026-10 db 0",
      "2026-10 app 0",
      "2026-10 desktop 0",
    ]);
  });

  it("orders tenants, then humans before bots, and keeps stored protocols outside the mapping", () => {
    const query = checkMonthly({ months: parseMonthRange("2026-09"), includeBots: true });
    const rows = completeMonthly(query, [
      row("zeta", "2026-09", null, 1, "bot"),
      row("zeta", "2026-09", "rdp-legacy", 1, "bot"),
      row("acme", "2026-09", null, 3),
    ]);
    expect(new Set(rows.map((r) => r.protocol))).toEqual(
      new Set([null, "ssh", "kube", "db", "app", "desktop", "rdp-legacy"]),
    );
    expect(rows.filter((r) => r.mau > 0).map((r) => [r.tenant, r.user_kind, r.protocol, r.mau])).toEqual([
      ["acme", "human", null, 3],
      ["zeta", "bot", null, 1],
      ["zeta", "bot", "rdp-legacy", 1],
    ]);
    expect(rows.map((r) => `${r.tenant}/${r.user_kind}`).filter((v, i, a) => a.indexOf(v) === i)).toEqual([
      "acme/human",
      "acme/bot",
      "zeta/human",
      "zeta/bot",
    ]);
    expect(rows).toHaveLength(2 * 2 * 7);
  });

  it("always answers for the tenant asked about, even without activity", () => {
    const query = checkMonthly({ months: parseMonthRange("2026-09"), tenant: "quiet" });
    const rows = completeMonthly(query, []);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.tenant === "quiet" && r.mau === 0)).toBe(true);
  });

  it("answers nothing when no tenant was active and none was named", () => {
    expect(completeMonthly(checkMonthly({ months: parseMonthRange("2026-09") }), [])).toEqual([]);
  });
});

describe("completeRolling", () => {
  it("fills every day of the series", () => {
    const query = checkRolling({
      from: Date.parse("2026-09-29"),
      to: Date.parse("2026-10-01"),
      includeBots: true,
    });
    const rows = completeRolling(query, [
      { tenant: "acme", day: "2026-09-30", user_kind: "bot", window_days: 30, mau: 4 },
    ]);
    expect(rows.map((r) => `${r.day} ${r.user_kind} ${r.mau}`)).toEqual([
      "2026-09-29 human 0",
      "2026-09-29 bot 0",
      "2026-09-30 human 0",
      "2026-09-30 bot 4",
      "2026-10-01 human 0",
      "2026-10-01 bot 0",
    ]);
    expect(rows.every((r) => r.window_days === 30)).toBe(true);
  });
});
