import { BinaryReader } from "@bufbuild/protobuf/wire";

/**
 * Decodes a request without the two things generated decoders do silently: throwing (grpc-js would answer
 * INTERNAL before the handler could authenticate the caller) and replacing invalid UTF-8 in strings with
 * U+FFFD (two distinct ids, `bad-\xff` and `bad-\xfe`, would become one).
 */

export type StrictDecoded<T> = { message: T; problem?: undefined } | { message?: undefined; problem: string };

/**
 * What an invalid string decodes to while decoding goes on: it starts with a lone surrogate, which valid
 * UTF-8 never decodes to, so finding it afterwards names the field.
 */
const INVALID_UTF8 = "\udc00invalid-utf8";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * @param decode the generated `decode` of the message
 * @param what names the message in problems, e.g. "SubmitEventsRequest"
 * @returns the message, or a problem that names the first bad field (e.g. `events[2].id is not valid
 *   UTF-8`) or the decoding failure, never the content
 */
export function decodeStrict<T>(
  bytes: Uint8Array,
  decode: (reader: BinaryReader) => T,
  what: string,
): StrictDecoded<T> {
  let invalid = 0;
  const reader = new BinaryReader(bytes, (text) => {
    try {
      return utf8.decode(text);
    } catch {
      invalid += 1;
      return INVALID_UTF8;
    }
  });
  let message: T;
  try {
    message = decode(reader);
  } catch (err) {
    const reason = err instanceof Error ? err.message.slice(0, 100) : "";
    return { problem: `the request is not a valid ${what} message${reason ? ` (${reason})` : ""}` };
  }
  if (invalid === 0) return { message };
  const field = pathOf(message, INVALID_UTF8) ?? "a string field";
  const more = invalid > 1 ? ` (${invalid} strings in all)` : "";
  return { problem: `${field} is not valid UTF-8${more}` };
}

/**
 * The path (`events[2].session_kind`: proto field names) of the first string equal to `target` in a
 * decoded message.
 */
function pathOf(value: unknown, target: string, path = ""): string | undefined {
  if (value === target) return path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = pathOf(item, target, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
  } else if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    for (const [key, item] of Object.entries(value)) {
      const name = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const found = pathOf(item, target, path === "" ? name : `${path}.${name}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
