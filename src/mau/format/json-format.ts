import type { CellValue, Column } from "./columns.js";

/**
 * One JSON array of objects, keys in column order, one object per line. 64-bit counts are written as
 * JSON numbers with every digit (JSON.stringify would refuse a bigint; a double would round it).
 */
export function formatJson<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  if (rows.length === 0) return "[]\n";
  const objects = rows.map(
    (row) => `  {${columns.map((c) => `${JSON.stringify(c.name)}: ${jsonValue(c.value(row))}`).join(", ")}}`,
  );
  return `[\n${objects.join(",\n")}\n]\n`;
}

function jsonValue(value: CellValue): string {
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(value);
}
