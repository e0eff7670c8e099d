import { formatMonth, type MonthRange, monthEnd, monthStart, monthsOf } from "../calendar.js";
import { PROTOCOLS } from "../../events/protocol.js";
import type { MauRow, RollingMauRow, UserKindName } from "../usage-rows.js";
import { el, num, text } from "./svg.js";

export interface MauChartInput {
  months: MonthRange;
  /** Rows as UsageQueries.monthlyActiveUsers returns them. */
  monthly: readonly MauRow[];
  /** Rows as UsageQueries.rollingActiveUsers returns them (may be empty). */
  rolling: readonly RollingMauRow[];
}

const WIDTH = 960;
const TITLE_HEIGHT = 56;
const PANEL_HEIGHT = 340;
const MARGIN = { left: 64, right: 210, top: 40, bottom: 52 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
const FONT = "font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif";

const COLORS: Record<string, string> = {
  all: "#475569",
  ssh: "#2563eb",
  kube: "#16a34a",
  db: "#d97706",
  app: "#9333ea",
  desktop: "#dc2626",
};
const OTHER_COLORS = ["#0891b2", "#be185d", "#65a30d", "#a16207", "#4f46e5"];
const ROLLING_COLOR = "#0f172a";

interface Panel {
  tenant: string;
  kind: UserKindName;
  monthly: MauRow[];
  rolling: RollingMauRow[];
}

/**
 * An SVG chart of MAU, readable on its own: a title naming the months, then one panel per tenant and
 * user kind with monthly MAU as grouped bars (all protocols, then each protocol that had any activity in
 * the panel), each bar labelled with its value when there is room, the rolling MAU as a daily line over
 * the same time axis, axes with ticks and labels, and a legend. Hand-written markup; every stored value
 * that reaches it is escaped.
 *
 * Elements carry data attributes for tools and tests: a bar group per series (`data-series` = "all" or the
 * protocol) with one rect per month (`data-month`, `data-value`); the rolling line (`data-series` =
 * "rolling") with one point per day (`data-days`).
 */
export function renderMauChart(input: MauChartInput): string {
  const months = monthsOf(input.months);
  const range = `${formatMonth(input.months.from)}${months.length > 1 ? ` to ${formatMonth(input.months.to)}` : ""}`;
  const title = `Monthly active users per protocol, ${range} (UTC)`;
  const panels = groupPanels(input);
  const height = TITLE_HEIGHT + Math.max(1, panels.length) * PANEL_HEIGHT;
  const windows = [...new Set(input.rolling.map((r) => r.window_days))];
  const description =
    `Bars: distinct active users per month, for all protocols and per protocol. ` +
    (windows.length > 0
      ? `Line: distinct users active in the ${windows.join("/")} days ending each day. `
      : "") +
    `Each panel is one tenant and user kind.`;
  const body =
    panels.length === 0
      ? el(
          "text",
          { x: WIDTH / 2, y: TITLE_HEIGHT + PANEL_HEIGHT / 2, "text-anchor": "middle", "font-size": 16 },
          text("No activity in these months"),
        )
      : panels
          .map((panel, i) => renderPanel(panel, input.months, TITLE_HEIGHT + i * PANEL_HEIGHT))
          .join("\n");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    el(
      "svg",
      {
        xmlns: "http://www.w3.org/2000/svg",
        width: WIDTH,
        height,
        viewBox: `0 0 ${WIDTH} ${height}`,
        role: "img",
        "aria-labelledby": "chart-title chart-desc",
        style: FONT,
      },
      el("title", { id: "chart-title" }, text(title)),
      el("desc", { id: "chart-desc" }, text(description)),
      "\n",
      el("rect", { x: 0, y: 0, width: WIDTH, height, fill: "#ffffff" }),
      el(
        "text",
        { x: WIDTH / 2, y: 34, "text-anchor": "middle", "font-size": 20, "font-weight": "bold" },
        text(title),
      ),
      "\n",
      body,
      "\n",
    ) +
    "\n"
  );
}

function groupPanels(input: MauChartInput): Panel[] {
  const panels = new Map<string, Panel>();
  const panel = (tenant: string, kind: UserKindName): Panel => {
    const key = JSON.stringify([tenant, kind === "human" ? 0 : 1]);
    let found = panels.get(key);
    if (found === undefined) {
      found = { tenant, kind, monthly: [], rolling: [] };
      panels.set(key, found);
    }
    return found;
  };
  for (const row of input.monthly) panel(row.tenant, row.user_kind).monthly.push(row);
  for (const row of input.rolling) panel(row.tenant, row.user_kind).rolling.push(row);
  return [...panels.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}

/** The series a panel draws: all protocols, then every protocol with activity, in report order. */
function seriesOf(panel: Panel): string[] {
  const active = new Set(
    panel.monthly.filter((r) => r.protocol !== null && r.mau > 0).map((r) => r.protocol),
  );
  const known: string[] = PROTOCOLS.filter((p) => active.has(p));
  const others = [...active].filter((p): p is string => p !== null && !known.includes(p)).sort();
  return ["all", ...known, ...others];
}

function colorOf(series: string, index: number): string {
  return COLORS[series] ?? OTHER_COLORS[index % OTHER_COLORS.length] ?? "#000000";
}

/** A round upper bound and tick step for counts: steps of 1, 2 or 5 × 10^k, at most six ticks. */
export function niceScale(max: number): { top: number; step: number } {
  let step = 1;
  for (let magnitude = 1; ; magnitude *= 10) {
    const found = [1, 2, 5].map((f) => f * magnitude).find((s) => Math.ceil(max / s) <= 5);
    if (found !== undefined) {
      step = found;
      break;
    }
  }
  return { top: Math.max(step, Math.ceil(max / step) * step), step };
}

function renderPanel(panel: Panel, range: MonthRange, top: number): string {
  const months = monthsOf(range);
  const startMs = monthStart(range.from).getTime();
  const endMs = monthEnd(range.to).getTime();
  const left = MARGIN.left;
  const plotTop = top + MARGIN.top;
  const bottom = plotTop + PLOT_HEIGHT;
  const x = (ms: number) => left + ((ms - startMs) / (endMs - startMs)) * PLOT_WIDTH;
  const values = [...panel.monthly.map((r) => r.mau), ...panel.rolling.map((r) => r.mau)];
  const scale = niceScale(Math.max(1, ...values));
  const y = (value: number) => bottom - (value / scale.top) * PLOT_HEIGHT;
  const series = seriesOf(panel);
  const parts: string[] = [];

  const kindLabel = panel.kind === "human" ? "humans" : "bots";
  parts.push(
    el(
      "text",
      { x: left, y: top + 24, "font-size": 15, "font-weight": "bold" },
      text(`Tenant ${panel.tenant}, ${kindLabel}`),
    ),
  );

  // Y axis: gridlines, tick labels, axis title.
  for (let value = 0; value <= scale.top; value += scale.step) {
    parts.push(
      el("line", { x1: left, x2: left + PLOT_WIDTH, y1: y(value), y2: y(value), stroke: "#e2e8f0" }),
      el(
        "text",
        { x: left - 8, y: y(value) + 4, "text-anchor": "end", "font-size": 11 },
        text(String(value)),
      ),
    );
  }
  parts.push(
    el("line", { x1: left, x2: left, y1: plotTop, y2: bottom, stroke: "#334155" }),
    el(
      "text",
      {
        x: left - 44,
        y: plotTop + PLOT_HEIGHT / 2,
        "text-anchor": "middle",
        "font-size": 12,
        transform: `rotate(-90 ${num(left - 44)} ${num(plotTop + PLOT_HEIGHT / 2)})`,
      },
      text("active users"),
    ),
  );

  // X axis: month boundaries, month labels (thinned when crowded), axis title.
  const labelEvery = Math.ceil(months.length / 12);
  months.forEach((month, i) => {
    const from = x(monthStart(month).getTime());
    const to = x(monthEnd(month).getTime());
    parts.push(el("line", { x1: from, x2: from, y1: bottom, y2: bottom + 6, stroke: "#334155" }));
    if (i % labelEvery === 0) {
      parts.push(
        el(
          "text",
          { x: (from + to) / 2, y: bottom + 20, "text-anchor": "middle", "font-size": 11 },
          text(formatMonth(month)),
        ),
      );
    }
  });
  parts.push(
    el("line", { x1: left, x2: left + PLOT_WIDTH, y1: bottom, y2: bottom, stroke: "#334155" }),
    el("line", {
      x1: left + PLOT_WIDTH,
      x2: left + PLOT_WIDTH,
      y1: bottom,
      y2: bottom + 6,
      stroke: "#334155",
    }),
    el(
      "text",
      { x: left + PLOT_WIDTH / 2, y: bottom + 42, "text-anchor": "middle", "font-size": 12 },
      text("month (UTC)"),
    ),
  );

  // Bars: per month, one bar per series side by side.
  const value = new Map(panel.monthly.map((r) => [`${r.month}\u0000${r.protocol ?? "all"}`, r.mau]));
  series.forEach((name, s) => {
    const color = colorOf(name, s);
    const bars = months.map((month) => {
      const from = x(monthStart(month).getTime());
      const band = x(monthEnd(month).getTime()) - from;
      const width = (band * 0.8) / series.length;
      const barX = from + band * 0.1 + s * width;
      const label = formatMonth(month);
      const mau = value.get(`${label}\u0000${name}`) ?? 0;
      const bar = el(
        "rect",
        {
          x: barX,
          y: y(mau),
          width: Math.max(0.5, width - 1),
          height: bottom - y(mau),
          fill: color,
          "data-month": label,
          "data-value": mau,
        },
        el("title", {}, text(`${seriesLabel(name)}, ${label}: ${mau}`)),
      );
      const caption =
        width >= 14
          ? el(
              "text",
              { x: barX + width / 2, y: y(mau) - 4, "text-anchor": "middle", "font-size": 10 },
              text(String(mau)),
            )
          : "";
      return bar + caption;
    });
    parts.push(el("g", { class: "series", "data-series": name }, ...bars));
  });

  // The rolling line, one point per day at midday.
  if (panel.rolling.length > 0) {
    const points = panel.rolling
      .map((r) => `${num(x(Date.parse(`${r.day}T12:00:00Z`)))},${num(y(r.mau))}`)
      .join(" ");
    parts.push(
      el(
        "polyline",
        {
          class: "rolling",
          "data-series": "rolling",
          "data-days": panel.rolling.length,
          points,
          fill: "none",
          stroke: ROLLING_COLOR,
          "stroke-width": 2,
          "stroke-linejoin": "round",
        },
        el("title", {}, text(rollingLabel(panel.rolling))),
      ),
    );
  }

  // Legend.
  const legendX = left + PLOT_WIDTH + 24;
  const entries = series.map((name, s) =>
    el(
      "g",
      { class: "legend-entry", "data-series": name },
      el("rect", { x: legendX, y: plotTop + s * 22, width: 14, height: 14, fill: colorOf(name, s) }),
      el("text", { x: legendX + 22, y: plotTop + s * 22 + 11, "font-size": 12 }, text(seriesLabel(name))),
    ),
  );
  if (panel.rolling.length > 0) {
    const ly = plotTop + series.length * 22;
    entries.push(
      el(
        "g",
        { class: "legend-entry", "data-series": "rolling" },
        el("line", {
          x1: legendX,
          x2: legendX + 14,
          y1: ly + 7,
          y2: ly + 7,
          stroke: ROLLING_COLOR,
          "stroke-width": 2,
        }),
        el("text", { x: legendX + 22, y: ly + 11, "font-size": 12 }, text(rollingLabel(panel.rolling))),
      ),
    );
  }
  parts.push(el("g", { class: "legend" }, ...entries));

  return el("g", { class: "panel", "data-tenant": panel.tenant, "data-user-kind": panel.kind }, ...parts);
}

function seriesLabel(name: string): string {
  return name === "all" ? "MAU, all protocols" : `MAU, ${name}`;
}

function rollingLabel(rows: readonly RollingMauRow[]): string {
  return `rolling ${rows[0]?.window_days ?? 30}-day active users`;
}
