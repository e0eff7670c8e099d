import { parse as parseLosslessJson } from "lossless-json";
import { MAY_ROUND, TOO_DEEP, inspectJsonText, jsonTextError, tooDeep } from "./json-guard.js";
import type { LooseJson } from "./loose-json.js";

/**
 * Whether JSON.parse could round a number in this JSON text: a number token with 16 or more digits and
 * dots, or with a three-digit exponent. Numbers inside strings are text and never rounded.
 */
export function mayRoundNumbers(text: string): boolean {
  return (inspectJsonText(text) & MAY_ROUND) !== 0;
}

/**
 * Parses JSON text: with the native JSON.parse unless a number might round, then exactly, with
 * `LosslessNumber`s. Duplicate keys: the last wins, either way.
 * @throws JsonTextError (a SyntaxError quoting no input) when it is not JSON or nests too deep
 */
export function parseLooseJson(text: string): LooseJson {
  const flags = inspectJsonText(text);
  if ((flags & TOO_DEEP) !== 0) throw tooDeep();
  try {
    if ((flags & MAY_ROUND) === 0) return JSON.parse(text) as LooseJson;
    return parseLosslessJson(text, null, { onDuplicateKey: ({ newValue }) => newValue }) as LooseJson;
  } catch (err) {
    throw jsonTextError(err, text);
  }
}
