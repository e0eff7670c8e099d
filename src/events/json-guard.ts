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
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** @throws JsonTextError when the text nests deeper than MAX_JSON_DEPTH */
export function checkJsonDepth(text: string): void {
  if (exceedsJsonDepth(text)) {
    throw new JsonTextError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
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
