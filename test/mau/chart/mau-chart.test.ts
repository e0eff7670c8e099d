import { describe, expect, it } from "vitest";
import { parseMonthRange } from "../../../src/mau/calendar.js";
import { niceScale, renderMauChart } from "../../../src/mau/chart/mau-chart.js";
import { completeMonthly, completeRolling } from "../../../src/mau/complete-rows.js";
import { checkMonthly, checkRolling } from "../../../src/mau/usage-query.js";
import type { MauRow, RollingMauRow } from "../../../src/mau/usage-rows.js";
import { allText, descendants, parseXml, type XmlElement } from "../support/xml.js";

const months = parseMonthRange("2026-08..2026-10");

function monthly(rows: MauRow[], includeBots = false): MauRow[] {
  return completeMonthly(checkMonthly({ months, includeBots }), rows);
}

function rolling(rows: RollingMauRow[]): RollingMauRow[] {
  return completeRolling(
    checkRolling({ from: Date.parse("2026-08-01"), to: Date.parse("2026-10-31") }),
    rows,
  );
}

const mau = (month: string, protocol: string | null, value: number, tenant = "acme"): MauRow => ({
  tenant,
  month,
  user_kind: "human",
  protocol,
  mau: value,
});

function find(root: XmlElement, predicate: (e: XmlElement) => boolean): XmlElement[] {
  return descendants(root).filter(predicate);
}

describe("renderMauChart", () => {
  const rows = monthly([
    mau("2026-09", null, 3),
    mau("2026-09", "ssh", 2),
    mau("2026-09", "kube", 1),
    mau("2026-10", null, 2),
    mau("2026-10", "kube", 1),
  ]);
  const series = rolling([
    { tenant: "acme", day: "2026-09-01", user_kind: "human", window_days: 30, mau: 1 },
    { tenant: "acme", day: "2026-09-30", user_kind: "human", window_days: 30, mau: 3 },
  ]);
  const svg = parseXml(renderMauChart({ months, monthly: rows, rolling: series }));

  it("is a well-formed SVG document with a title and description", () => {
    expect(svg.name).toBe("svg");
    expect(svg.attributes.xmlns).toBe("http://www.w3.org/2000/svg");
    const title = find(svg, (e) => e.name === "title" && e.attributes.id === "chart-title")[0];
    expect(title?.text).toBe("Monthly active users per protocol, 2026-08 to 2026-10 (UTC)");
    expect(find(svg, (e) => e.name === "desc")[0]?.text).toContain("30 days ending each day");
    expect(svg.attributes.viewBox).toMatch(/^0 0 \d+ \d+$/);
  });

  it("draws one bar series for all protocols and one per active protocol, one bar per month", () => {
    const groups = find(svg, (e) => e.name === "g" && e.attributes.class === "series");
    expect(groups.map((g) => g.attributes["data-series"])).toEqual(["all", "ssh", "kube"]);
    const bars = (name: string) =>
      groups
        .find((g) => g.attributes["data-series"] === name)
        ?.children.filter((c) => c.name === "rect")
        .map((r) => [r.attributes["data-month"], Number(r.attributes["data-value"])]);
    expect(bars("all")).toEqual([
      ["2026-08", 0],
      ["2026-09", 3],
      ["2026-10", 2],
    ]);
    expect(bars("ssh")).toEqual([
      ["2026-08", 0],
      ["2026-09", 2],
      ["2026-10", 0],
    ]);
    expect(bars("kube")).toEqual([
      ["2026-08", 0],
      ["2026-09", 1],
      ["2026-10", 1],
    ]);
  });

  it("scales bars to their values on a shared axis", () => {
    const rects = find(
      svg,
      (e) => e.name === "rect" && e.attributes["data-series"] === undefined && "data-value" in e.attributes,
    );
    const heightOf = (value: number) =>
      rects
        .filter((r) => Number(r.attributes["data-value"]) === value)
        .map((r) => Number(r.attributes.height));
    const one = heightOf(1)[0]!;
    expect(one).toBeGreaterThan(0);
    expect(heightOf(3)[0]).toBeCloseTo(3 * one, 1);
    expect(heightOf(0).every((h) => h === 0)).toBe(true);
  });

  it("draws the rolling series with one point per day", () => {
    const line = find(svg, (e) => e.name === "polyline" && e.attributes["data-series"] === "rolling");
    expect(line).toHaveLength(1);
    const points = (line[0]?.attributes.points ?? "").split(" ");
    expect(points).toHaveLength(92);
    expect(line[0]?.attributes["data-days"]).toBe("92");
    for (const point of points) expect(point).toMatch(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/);
  });

  it("labels axes, months and the panel, and has a legend for every series", () => {
    const texts = find(svg, (e) => e.name === "text").map(allText);
    expect(texts).toEqual(
      expect.arrayContaining([
        "Tenant acme, humans",
        "active users",
        "month (UTC)",
        "2026-08",
        "2026-09",
        "2026-10",
      ]),
    );
    const legend = find(svg, (e) => e.attributes.class === "legend-entry");
    expect(legend.map((e) => [e.attributes["data-series"], allText(e)])).toEqual([
      ["all", "MAU, all protocols"],
      ["ssh", "MAU, ssh"],
      ["kube", "MAU, kube"],
      ["rolling", "rolling 30-day active users"],
    ]);
    // Y ticks 0..3 for a maximum of 3.
    expect(texts).toEqual(expect.arrayContaining(["0", "1", "2", "3"]));
  });

  it("draws one panel per tenant and user kind", () => {
    const both = monthly(
      [mau("2026-09", null, 1), { ...mau("2026-09", null, 5, "globex"), user_kind: "bot" }],
      true,
    );
    const doc = parseXml(renderMauChart({ months, monthly: both, rolling: [] }));
    const panels = find(doc, (e) => e.attributes.class === "panel");
    expect(panels.map((p) => [p.attributes["data-tenant"], p.attributes["data-user-kind"]])).toEqual([
      ["acme", "human"],
      ["acme", "bot"],
      ["globex", "human"],
      ["globex", "bot"],
    ]);
    expect(find(doc, (e) => e.name === "polyline")).toHaveLength(0);
  });

  it("stays well-formed whatever the stored values are", () => {
    const hostile = monthly([
      mau("2026-09", `<script>alert("x")</script> & 'y'`, 1),
      mau("2026-09", "bad\u0001\ud800", 1),
    ]);
    const source = renderMauChart({ months, monthly: hostile, rolling: [] });
    const doc = parseXml(source);
    const names = find(doc, (e) => e.attributes.class === "series").map((g) => g.attributes["data-series"]);
    expect(names).toContain(`<script>alert("x")</script> & 'y'`);
    expect(names).toContain("bad\ufffd\ufffd");
    expect(source).not.toContain("<script>");
  });

  it("says so when there is no activity", () => {
    const doc = parseXml(renderMauChart({ months, monthly: [], rolling: [] }));
    expect(find(doc, (e) => e.name === "text").map(allText)).toContain("No activity in these months");
  });
});

describe("niceScale", () => {
  it.each([
    [1, 1, 1],
    [3, 3, 1],
    [5, 5, 1],
    [6, 6, 2],
    [7, 8, 2],
    [11, 15, 5],
    [42, 50, 10],
    [999, 1000, 200],
    [12345, 15000, 5000],
  ])("max %i → top %i, step %i", (max, top, step) => {
    expect(niceScale(max)).toEqual({ top, step });
  });
});
