import { TextDecoder } from "node:util";
import { LineSplitter, type SplitItem } from "./file/line-splitter.js";

/** An input line that cannot be an event before it is even parsed, with the reason every reader gives. */
export interface RefusedLine {
  readonly refused: string;
}

/** A line of event input: its text, or why it has none. */
export type InputLine = string | RefusedLine;

export function isRefusedLine(line: InputLine): line is RefusedLine {
  return typeof line !== "string";
}

/**
 * The text of a split line, or why it has none: longer than the bound, or not UTF-8. Readers of the
 * audit log and ingest both go through here, so a line gets the same verdict in `serve` and `ingest`.
 * @param decoder a fatal UTF-8 decoder (invalid bytes are refused, never replaced)
 */
export function lineText(item: SplitItem, maxLineBytes: number, decoder: TextDecoder): InputLine {
  if (item.kind === "oversized") return { refused: `longer than ${maxLineBytes} bytes` };
  try {
    return decoder.decode(item.bytes);
  } catch {
    return { refused: "not valid UTF-8" };
  }
}

/** A fatal UTF-8 decoder for lineText. */
export function utf8Decoder(): TextDecoder {
  return new TextDecoder("utf-8", { fatal: true });
}

/**
 * Splits raw input (e.g. stdin) into lines, bounding each before anything decodes or parses it: a line
 * over `maxLineBytes` is dropped as it arrives and yielded as refused, so memory stays within the bound.
 * A final line without "\n" counts; a "\r" before the "\n" is left to the JSON parser, which takes it as
 * whitespace.
 */
export async function* inputLines(
  chunks: AsyncIterable<Uint8Array | string>,
  maxLineBytes: number,
): AsyncGenerator<InputLine, void, undefined> {
  const splitter = new LineSplitter(0, maxLineBytes);
  const decoder = utf8Decoder();
  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    for (const item of splitter.push(bytes)) yield lineText(item, maxLineBytes, decoder);
  }
  const last = splitter.flush();
  if (last !== undefined) yield lineText(last, maxLineBytes, decoder);
}
