import { prefix } from "./code-points.js";

/**
 * A sender-supplied string quoted in a message: cut to at most `max` UTF-16 code units on a character
 * boundary, then JSON-escaped (controls, quotes and any lone surrogate become escapes), so the message
 * stays one well-formed line whatever the sender put in.
 */
export function quote(value: string, max = 64): string {
  return JSON.stringify(value.length > max ? `${prefix(value, max)}…` : value);
}
