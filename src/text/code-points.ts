/**
 * Text that never holds half a character. A JavaScript string may contain a lone UTF-16 surrogate (from
 * a JSON `\ud800` escape, or from cutting between the two halves of an astral character); such a string
 * cannot be encoded as UTF-8 or URI-encoded, and grpc-js throws when it sends one as status details.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with every lone surrogate replaced by U+FFFD (what `String.prototype.toWellFormed` does). */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

/**
 * The longest prefix of `text` of at most `maxUnits` UTF-16 code units that does not end inside a
 * surrogate pair.
 */
export function prefix(text: string, maxUnits: number): string {
  let end = Math.max(0, Math.min(maxUnits, text.length));
  if (end > 0 && end < text.length && isHigh(text.charCodeAt(end - 1)) && isLow(text.charCodeAt(end))) {
    end -= 1;
  }
  return text.slice(0, end);
}

function isHigh(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
