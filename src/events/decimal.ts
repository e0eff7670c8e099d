/**
 * Exact arithmetic on JSON number text. Event JSON may hold numbers a double cannot (indexes beyond
 * 2^53, long fractions, huge exponents); these helpers decide exactly, on the decimal text, whether a
 * value survives as a double or an integer field.
 */

const JSON_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A JSON number's value as sign × digits × 10^exponent, digits without leading or trailing zeros. */
interface Decimal {
  readonly negative: boolean;
  /** "" for zero. */
  readonly digits: string;
  readonly exponent: number;
}

/** Whether `text` is a JSON number (RFC 8259 grammar, leading zeros tolerated). */
export function isJsonNumberText(text: string): boolean {
  return JSON_NUMBER.test(text);
}

function toDecimal(text: string): Decimal | undefined {
  const match = JSON_NUMBER.exec(text);
  if (match === null) return undefined;
  const [, sign = "", integer = "", fraction = "", exponentText = "0"] = match;
  let digits = integer + fraction;
  let exponent = Number(exponentText) - fraction.length;
  if (!Number.isSafeInteger(exponent)) return undefined;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  let end = digits.length;
  while (end > start && digits.charCodeAt(end - 1) === 48) end--;
  exponent += digits.length - end;
  digits = digits.slice(start, end);
  if (digits === "") return { negative: false, digits: "", exponent: 0 };
  return { negative: sign === "-", digits, exponent };
}

/** Whether two JSON number texts denote the same value ("1.50" and "15e-1" do; "-0" equals "0"). */
export function decimalEquals(a: string, b: string): boolean {
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (x === undefined || y === undefined) return false;
  return x.negative === y.negative && x.digits === y.digits && x.exponent === y.exponent;
}

/** The nearest double to a JSON number text, and whether it is exactly that value when printed back. */
export function toExactDouble(text: string): number | undefined {
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  return decimalEquals(String(value), text) ? value : undefined;
}

/** A JSON number text as an integer, when its value is one and has at most `maxDigits` digits. */
export function decimalToBigInt(text: string, maxDigits = 40): bigint | undefined {
  const decimal = toDecimal(text);
  if (decimal === undefined) return undefined;
  if (decimal.digits === "") return 0n;
  if (decimal.exponent < 0 || decimal.digits.length + decimal.exponent > maxDigits) return undefined;
  const magnitude = BigInt(decimal.digits + "0".repeat(decimal.exponent));
  return decimal.negative ? -magnitude : magnitude;
}
