import type { BenchResult } from "./result.js";

/** The results as an aligned text table. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ["name", "workload", "value", "unit", "baseline", "ratio", "goal", "met"];
  const rows = results.map((r) => [
    r.name,
    r.workload,
    String(r.value),
    r.unit,
    r.baseline === null ? "" : `${r.baseline_value} (${r.baseline})`,
    r.ratio === null ? "" : String(r.ratio),
    r.goal ?? "",
    r.met === null ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
