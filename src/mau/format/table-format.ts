import type { CellValue, Column } from "./columns.js";

/**
 * Aligned plain text: a header, a rule, one line per row; numbers right-aligned, text left-aligned, two
 * spaces between columns. Control characters in stored values are shown escaped so a value cannot
 * rearrange the terminal.
 */
export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.value(row), c.nullText)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((row) => isNumber(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(c.name.length, ...cells.map((line) => (line[i] ?? "").length)),
  );
  const line = (texts: readonly string[]) =>
    texts
      .map((text, i) => (numeric[i] ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const out = [line(columns.map((c) => c.name)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)];
  return `${out.join("\n")}\n`;
}

/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u001f\u007f]/g;
/* eslint-enable no-control-regex */

function isNumber(value: CellValue): boolean {
  return typeof value === "number" || typeof value === "bigint";
}

function cellText(value: CellValue, nullText = ""): string {
  if (value === null) return nullText;
  return String(value).replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
