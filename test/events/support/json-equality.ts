import { LosslessNumber } from "lossless-json";

/**
 * A comparable form of a JSON value, independent of the code under test: numbers by exact decimal
 * value ("1.50" and "15e-1" agree, "-0" equals "0"), object keys sorted, `__proto__` an ordinary key.
 */
export type Normalized =
  null | boolean | string | { num: string } | Normalized[] | { obj: [string, Normalized][] };

export function normalize(value: unknown): Normalized {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return { num: normalizeNumber(String(value)) };
  if (value instanceof LosslessNumber) return { num: normalizeNumber(value.value) };
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object") {
    const entries = Object.keys(value).map((key): [string, Normalized] => [
      key,
      normalize((value as Record<string, unknown>)[key]),
    ]);
    return { obj: entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
  }
  throw new Error(`not JSON: ${typeof value}`);
}

/** "digits×10^exponent" with the digits stripped of leading and trailing zeros; "0" for zero. */
export function normalizeNumber(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) throw new Error(`not a JSON number: ${text}`);
  const [, sign = "", integer = "", fraction = "", exponent = "0"] = match;
  let digits = (integer + fraction).replace(/^0+/, "");
  if (digits === "") return "0";
  let scale = BigInt(exponent) - BigInt(fraction.length);
  const trimmed = digits.replace(/0+$/, "");
  scale += BigInt(digits.length - trimmed.length);
  digits = trimmed;
  return `${sign}${digits}e${scale}`;
}
