/** Report rows as a table, JSON or CSV. */
export { MAU_COLUMNS, ROLLING_COLUMNS, USAGE_COLUMNS, type Column } from "./columns.js";
export { formatRows, OUTPUT_FORMATS, parseOutputFormat, type OutputFormat } from "./output-format.js";
