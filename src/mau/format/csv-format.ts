import type { CellValue, Column } from "./columns.js";

/** RFC 4180 CSV with a header line, CRLF line ends; null is an empty field. */
export function formatCsv<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const lines = [
    columns.map((c) => field(c.name)).join(","),
    ...rows.map((row) => columns.map((c) => field(c.value(row))).join(",")),
  ];
  return `${lines.join("\r\n")}\r\n`;
}

function field(value: CellValue): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
