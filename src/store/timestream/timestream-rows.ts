import type { ColumnInfo, Row } from "@aws-sdk/client-timestream-query";
import { InternalError } from "../../errors/errors.js";
import type { ResultColumn, SqlValue } from "../../mau/dialect.js";

/** The Timestream scalar type each of our column types arrives as. */
const SCALAR: Record<ResultColumn["type"], string> = { varchar: "VARCHAR", bigint: "BIGINT" };

/** Checks a page's ColumnInfo against the columns the query declares (names, order, scalar types). */
export function checkColumns(
  expected: readonly ResultColumn[],
  info: readonly ColumnInfo[] | undefined,
): void {
  const got = (info ?? []).map((c) => `${c.Name ?? "?"}:${c.Type?.ScalarType ?? "non-scalar"}`);
  const want = expected.map((c) => `${c.name}:${SCALAR[c.type]}`);
  if (got.join(",") !== want.join(",")) {
    throw new InternalError(`Timestream answered columns [${got.join(", ")}], expected [${want.join(", ")}]`);
  }
}

/** One Timestream row → values in column order: VARCHAR as text, BIGINT as bigint, NullValue as null. */
export function parseRow(columns: readonly ResultColumn[], row: Row): SqlValue[] {
  const data = row.Data ?? [];
  if (data.length !== columns.length) {
    throw new InternalError(`Timestream row has ${data.length} values, expected ${columns.length}`);
  }
  return columns.map((column, i) => {
    const datum = data[i];
    if (datum === undefined || datum.NullValue === true) return null;
    const text = datum.ScalarValue;
    if (text === undefined) throw new InternalError(`Timestream value of ${column.name} is not a scalar`);
    if (column.type === "varchar") return text;
    if (!/^-?\d{1,19}$/.test(text))
      throw new InternalError(`Timestream value of ${column.name} is not a BIGINT`);
    return BigInt(text);
  });
}
