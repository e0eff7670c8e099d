import { parse as parseLosslessJson } from "lossless-json";
import { checkJsonDepth, jsonTextError } from "./json-guard.js";
import type { LooseJson } from "./loose-json.js";

/**
 * Text in which JSON.parse might round a number: a number token (after `:`, `,` or `[`) with 16 or
 * more digits and dots, or with a three-digit exponent (overflow, underflow). Any other number has at
 * most 15 significant digits in the normal range, so its double prints back as the same decimal
 * value. A match inside a string only costs the slower parser.
 */
const MAY_ROUND = /[:,[]\s*-?(?:[\d.]{16}|\d[\d.]*[eE][+-]?\d{3})/;

/** Whether JSON.parse could round a number in this JSON text. */
export function mayRoundNumbers(text: string): boolean {
  return MAY_ROUND.test(text);
}

/**
 * Parses JSON text: with the native JSON.parse unless a number might round, then exactly, with
 * `LosslessNumber`s. Duplicate keys: the last wins, either way.
 * @throws JsonTextError (a SyntaxError quoting no input) when it is not JSON or nests too deep
 */
export function parseLooseJson(text: string): LooseJson {
  checkJsonDepth(text);
  try {
    if (!mayRoundNumbers(text)) return JSON.parse(text) as LooseJson;
    return parseLosslessJson(text, null, { onDuplicateKey: ({ newValue }) => newValue }) as LooseJson;
  } catch (err) {
    throw jsonTextError(err, text);
  }
}
