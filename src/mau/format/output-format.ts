import { InvalidArgumentError } from "../../errors/errors.js";
import type { Column } from "./columns.js";
import { formatCsv } from "./csv-format.js";
import { formatJson } from "./json-format.js";
import { formatTable } from "./table-format.js";

export const OUTPUT_FORMATS = ["table", "json", "csv"] as const;

export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(text: string): OutputFormat {
  const found = OUTPUT_FORMATS.find((f) => f === text);
  if (found === undefined) {
    throw new InvalidArgumentError(`format "${text}": expected one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  return found;
}

/** Renders rows in the chosen format; the text ends with a newline. */
export function formatRows<T>(
  format: OutputFormat,
  columns: readonly Column<T>[],
  rows: readonly T[],
): string {
  switch (format) {
    case "table":
      return formatTable(columns, rows);
    case "json":
      return formatJson(columns, rows);
    case "csv":
      return formatCsv(columns, rows);
  }
}
