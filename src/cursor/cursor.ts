import { quote } from "../text/quote.js";
import { InvalidArgumentError } from "../errors/errors.js";

/**
 * A position in an audit log: for each shard, the sequence number of the last event delivered from it.
 * Sequence numbers are decimal strings and stay strings (they exceed 2^53). For the file audit log a
 * shard is a day file and the sequence number is the byte offset after the event's line.
 */
export type Cursor = ReadonlyMap<string, string>;

/** The cursor of a fresh start: no position, so the server's configured start position applies. */
export const EMPTY_CURSOR: Cursor = new Map();

/** Cursors larger than this are refused before parsing (a cursor of 10,000 shards is far below it). */
export const MAX_CURSOR_BYTES = 1024 * 1024;

const KEY = "shard_id_to_sequence_number";

/**
 * Decodes a cursor string. "", `{}` and a null map are the empty cursor. Strict about what it needs (a
 * JSON object whose `shard_id_to_sequence_number` is an object of non-empty string keys to
 * decimal-string values; a non-empty object without that key is refused), tolerant of what it doesn't
 * (other top-level keys beside the map are ignored).
 * @throws InvalidArgumentError saying what is wrong.
 */
export function decodeCursor(text: string): Cursor {
  if (text === "") return EMPTY_CURSOR;
  if (Buffer.byteLength(text, "utf8") > MAX_CURSOR_BYTES) {
    throw new InvalidArgumentError(`cursor is larger than ${MAX_CURSOR_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(
      `cursor is not JSON: expected {"${KEY}":{"<shard id>":"<sequence number>"}} or ""`,
    );
  }
  if (!isPlainObject(parsed)) {
    throw new InvalidArgumentError(`cursor is not a JSON object: expected {"${KEY}":{...}}`);
  }
  const shards = parsed[KEY];
  if (shards === undefined) {
    const keys = Object.keys(parsed);
    if (keys.length === 0) return EMPTY_CURSOR;
    // Only a server makes cursors, so an object without the map is a damaged one (`{"shard_id_to_
    // sequence_numbeR":…}`), not a fresh start: taking it as empty would re-read or skip everything.
    const shown = keys.slice(0, 3).map((key) => quote(key, 40));
    const more = keys.length > 3 ? ` and ${keys.length - 3} more` : "";
    throw new InvalidArgumentError(
      `cursor has no "${KEY}" (its keys: ${shown.join(", ")}${more}): a damaged cursor? ` +
        `send "" or {} to start afresh`,
    );
  }
  // Go encodes a nil map as null.
  if (shards === null) return EMPTY_CURSOR;
  if (!isPlainObject(shards)) {
    throw new InvalidArgumentError(`cursor field "${KEY}" must be an object of shard id to sequence number`);
  }
  const cursor = new Map<string, string>();
  for (const [shard, seq] of Object.entries(shards)) {
    if (shard === "") throw new InvalidArgumentError(`cursor has an empty shard id`);
    if (typeof seq !== "string") {
      throw new InvalidArgumentError(
        `cursor sequence number for shard ${quote(shard, 80)} must be a decimal string, got ${describe(seq)}`,
      );
    }
    if (!/^[0-9]{1,64}$/.test(seq)) {
      throw new InvalidArgumentError(
        `cursor sequence number for shard ${quote(shard, 80)} is not a decimal number: ${quote(seq, 80)}`,
      );
    }
    cursor.set(shard, seq);
  }
  return cursor;
}

/** Encodes a cursor; shards are sorted so equal cursors encode to equal strings. "" for the empty cursor. */
export function encodeCursor(cursor: Cursor): string {
  if (cursor.size === 0) return "";
  // Written member by member, not through an object, where a shard named "__proto__" would vanish.
  const members = [...cursor.keys()]
    .sort()
    .map((shard) => `${JSON.stringify(shard)}:${JSON.stringify(cursor.get(shard) as string)}`);
  return `{"${KEY}":{${members.join(",")}}}`;
}

/**
 * `encodeCursor` of a one-shard cursor, as a function of the sequence number: a log whose events each
 * name one shard (the file audit log's day file) builds the text around the shard once, not per event.
 */
export function shardCursorEncoder(shard: string): (sequenceNumber: string) => string {
  const prefix = `{"${KEY}":{${JSON.stringify(shard)}:`;
  return (sequenceNumber) => `${prefix}${JSON.stringify(sequenceNumber)}}}`;
}

/** Compares two decimal sequence numbers of any length. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function stripZeros(s: string): string {
  const t = s.replace(/^0+/, "");
  return t === "" ? "0" : t;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}
