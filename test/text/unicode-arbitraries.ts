import fc from "fast-check";

/**
 * Strings as a hostile sender makes them: any code point (astral included), lone surrogates of either
 * half, and control characters, mixed.
 */
export const anyUnit: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
  fc.integer({ min: 0, max: 0x1f }).map((unit) => String.fromCharCode(unit)),
  fc.constantFrom("\u007f", "\u2028", "\ufeff", "\ufffd", '"', "\\", "%", "😀"),
);

export function hostileString(constraints: { minLength?: number; maxLength?: number } = {}) {
  return fc.string({ unit: anyUnit, ...constraints });
}

/** Whether `text` has no lone surrogate (encodeURI and UTF-8 encoding accept it). */
export function isWellFormed(text: string): boolean {
  try {
    encodeURI(text);
    return true;
  } catch {
    return false;
  }
}
