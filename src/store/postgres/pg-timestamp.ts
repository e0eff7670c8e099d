/**
 * A timestamptz input literal for epoch microseconds, exact to the microsecond: ISO 8601 in UTC
 * (`2024-03-05T10:00:00.123456Z`). PostgreSQL's own range is wider than the sink's (years 1..9999).
 */
export function timestamptzText(micros: bigint): string {
  const millis = floorDiv(micros, 1000n);
  const extra = micros - millis * 1000n;
  const iso = new Date(Number(millis)).toISOString();
  // toISOString ends in ".sssZ"; insert the sub-millisecond digits before the Z.
  return `${iso.slice(0, -1)}${extra.toString().padStart(3, "0")}Z`;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
