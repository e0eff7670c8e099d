import { parse as parseLossless } from "lossless-json";

/**
 * What every reader of JSON text applies, so that an input's fate never depends on the stack or leaks
 * into a log: one nesting bound, checked on the text before any parser recurses into it, and syntax
 * errors that give a position, never the text (V8's and lossless-json's messages quote the input).
 */

/**
 * Deepest nesting of objects and arrays accepted (`{}` is 1, `{"a":[{}]}` is 3). Teleport's events nest
 * a few levels (at most 4 in the fixtures); the codec carries deep values as JSON text, so protobuf's
 * recursion limits do not bind. The recursive parts (lossless-json's parser, the codec) handle the
 * bound even on a quarter of Node's default stack, so the outcome is the same on every run. DynamoDB holds at most 32 levels: `ingest` into a
 * table reports deeper events as refused by DynamoDB.
 */
export const MAX_JSON_DEPTH = 256;

/** JSON text that is not valid, or nests deeper than MAX_JSON_DEPTH. Its message quotes no input. */
export class JsonTextError extends SyntaxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "JsonTextError";
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text opens more than `limit` objects and arrays inside each other (brackets in strings
 * do not count). A linear scan without recursion; text that is not JSON gives some answer and fails to
 * parse anyway.
 */
export function exceedsJsonDepth(text: string, limit = MAX_JSON_DEPTH): boolean {
  return (inspectJsonText(text, limit) & TOO_DEEP) !== 0;
}

/** `inspectJsonText`'s answer: it nests deeper than the limit. */
export const TOO_DEEP = 1;
/** `inspectJsonText`'s answer: a number token JSON.parse might round (see MAY_ROUND_DIGITS). */
export const MAY_ROUND = 2;

/**
 * A number token with this many digits and dots, or with a three-digit exponent (overflow, underflow),
 * may not survive JSON.parse: any other has at most 15 significant digits in the normal range, so its
 * double prints back as the same decimal value.
 */
const MAY_ROUND_DIGITS = 16;

/**
 * One pass over JSON text for what decides how to parse it: TOO_DEEP when it opens more than `limit`
 * objects and arrays inside each other (it stops there), MAY_ROUND when a number token outside strings
 * might be rounded by JSON.parse. Most of an event's text is inside strings, so a string is skipped with
 * the native `indexOf` (its closing quote is the first one not preceded by an odd run of backslashes)
 * rather than looked at character by character. Text that is not JSON gives some answer and fails to
 * parse anyway.
 */
export function inspectJsonText(text: string, limit = MAX_JSON_DEPTH): number {
  let flags = 0;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) break;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return flags | TOO_DEEP;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    } else if (isDigit(c) || c === DOT) {
      const end = numberEnd(text, i);
      if (end < 0) flags |= MAY_ROUND;
      i = Math.abs(end) - 1;
    }
  }
  return flags;
}

const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const PLUS = 0x2b;
const MINUS = 0x2d;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Where the number token starting at `start` (its digits and dots) ends, negated when JSON.parse might
 * round it: MAY_ROUND_DIGITS digits and dots, or an exponent of three digits or more.
 */
function numberEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === DOT)) i++;
  let mayRound = i - start >= MAY_ROUND_DIGITS;
  const e = text.charCodeAt(i);
  if (e === LOWER_E || e === UPPER_E) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i++;
    const digits = i;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
    if (i - digits >= 3) mayRound = true;
  }
  return mayRound ? -i : i;
}

/** The index of the quote that closes the string opening at `open`, or -1 when it is never closed. */
function closingQuote(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at >= 0; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/** @throws JsonTextError when the text nests deeper than MAX_JSON_DEPTH */
export function checkJsonDepth(text: string): void {
  if (exceedsJsonDepth(text)) throw tooDeep();
}

/** The error of a text nested deeper than MAX_JSON_DEPTH. */
export function tooDeep(): JsonTextError {
  return new JsonTextError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
}

/**
 * A parser's error as a JsonTextError that keeps the position it names and drops any quoted input.
 * When the message names no position (V8's "Unexpected token" does not), `text` is parsed again by
 * lossless-json, which names one; this runs only on text already found invalid.
 */
export function jsonTextError(err: unknown, text?: string): JsonTextError {
  if (err instanceof JsonTextError) return err;
  const message = err instanceof Error ? err.message : "";
  if (/end of (JSON )?input/.test(message)) {
    return new JsonTextError("not valid JSON: it ends too early", { cause: err });
  }
  let position = /\bposition (\d+)/.exec(message)?.[1];
  if (position === undefined && text !== undefined) {
    try {
      parseLossless(text);
    } catch (again) {
      position = /\bposition (\d+)/.exec(again instanceof Error ? again.message : "")?.[1];
    }
  }
  return new JsonTextError(
    position === undefined ? "not valid JSON" : `not valid JSON at position ${position}`,
    { cause: err },
  );
}
