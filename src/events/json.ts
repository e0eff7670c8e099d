import { LosslessNumber, isLosslessNumber, parse, stringify } from "lossless-json";
import { checkJsonDepth, jsonTextError } from "./json-guard.js";

/**
 * JSON as audit events carry it. Numbers are `LosslessNumber`s holding their decimal text, because
 * Teleport's indexes (`ei`) and DynamoDB sequence numbers exceed 2^53 and must never be rounded.
 */
export type JsonValue = null | boolean | string | LosslessNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export { LosslessNumber, isLosslessNumber };

/**
 * Parses JSON text keeping every number's exact decimal text.
 * @throws JsonTextError (a SyntaxError quoting no input) when it is not JSON or nests too deep
 */
export function parseJson(text: string): JsonValue {
  checkJsonDepth(text);
  try {
    return parse(text) as JsonValue;
  } catch (err) {
    throw jsonTextError(err, text);
  }
}

/** Serializes JSON, writing numbers exactly as held. */
export function stringifyJson(value: JsonValue): string {
  return stringify(value) as string;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isLosslessNumber(value);
}
