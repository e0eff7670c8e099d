/**
 * A reader for the small YAML subset docker-compose.yml is written in, so its test needs no YAML
 * dependency: block mappings, block sequences of scalars, plain / single-quoted / double-quoted scalars
 * on one line, comments. Every scalar stays a string (an empty value is null). Anything else — flow
 * collections, anchors, tags, block scalars, multi-line scalars, sequences of mappings, duplicate keys,
 * tabs — is refused with the line number, so the compose file cannot say something this reader misreads.
 */
export type YamlValue = string | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  number: number;
  indent: number;
  text: string;
}

export function parseYamlSubset(source: string): YamlValue {
  const lines = significantLines(source);
  if (lines.length === 0) return null;
  const [value, next] = parseBlock(lines, 0, lines[0]!.indent);
  if (next < lines.length) fail(lines[next]!, "unexpected indentation");
  return value;
}

function significantLines(source: string): Line[] {
  const lines: Line[] = [];
  source.split("\n").forEach((raw, i) => {
    const number = i + 1;
    const withoutCr = raw.replace(/\r$/, "");
    if (withoutCr.includes("\t")) throw new Error(`line ${number}: tabs are not supported`);
    const text = stripComment(withoutCr, number).trimEnd();
    if (text.trim() === "") return;
    if (text === "---" || text === "...") throw new Error(`line ${number}: documents are not supported`);
    const indent = text.length - text.trimStart().length;
    lines.push({ number, indent, text: text.trimStart() });
  });
  return lines;
}

/** Drops a comment: "#" at the start or after a space, outside quotes. */
function stripComment(line: string, number: number): string {
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === '"' && c === "\\") i++;
    else if (quote !== undefined && c === quote) quote = undefined;
    else if (quote === undefined && (c === '"' || c === "'") && (i === 0 || /[\s:-]/.test(line[i - 1]!)))
      quote = c;
    else if (quote === undefined && c === "#" && (i === 0 || /\s/.test(line[i - 1]!)))
      return line.slice(0, i);
  }
  if (quote !== undefined) throw new Error(`line ${number}: unterminated quoted scalar`);
  return line;
}

function parseBlock(lines: Line[], start: number, indent: number): [YamlValue, number] {
  return isSequenceItem(lines[start]!.text)
    ? parseSequence(lines, start, indent)
    : parseMapping(lines, start, indent);
}

function isSequenceItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

function parseSequence(lines: Line[], start: number, indent: number): [YamlValue[], number] {
  const items: YamlValue[] = [];
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent && isSequenceItem(lines[i]!.text)) {
    const line = lines[i]!;
    const rest = line.text.slice(1).trim();
    if (rest === "") fail(line, "nested collections in sequences are not supported");
    if (isSequenceItem(rest) || mappingEntry(rest) !== undefined) {
      fail(line, "sequences of mappings or sequences are not supported");
    }
    items.push(parseScalar(rest, line));
    i++;
  }
  return [items, i];
}

function parseMapping(lines: Line[], start: number, indent: number): [{ [key: string]: YamlValue }, number] {
  const map: { [key: string]: YamlValue } = {};
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent) {
    const line = lines[i]!;
    if (isSequenceItem(line.text)) fail(line, "a sequence item where a mapping key was expected");
    const entry = mappingEntry(line.text);
    if (entry === undefined) fail(line, "expected `key: value`");
    if (Object.hasOwn(map, entry.key)) fail(line, `duplicate key "${entry.key}"`);
    i++;
    if (entry.rest !== "") {
      map[entry.key] = parseScalar(entry.rest, line);
      continue;
    }
    const next = lines[i];
    const nested =
      next !== undefined && (next.indent > indent || (next.indent === indent && isSequenceItem(next.text)));
    if (!nested) {
      map[entry.key] = null;
      continue;
    }
    const [value, after] = parseBlock(lines, i, next.indent);
    map[entry.key] = value;
    i = after;
  }
  return [map, i];
}

function mappingEntry(text: string): { key: string; rest: string } | undefined {
  const quoted = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*:(?:\s+(.*))?$/.exec(text);
  if (quoted) return { key: unquote(quoted[1]!), rest: quoted[2] ?? "" };
  const plain = /^([^\s"'#\-?:[\]{},&*!|>%@`][^:]*?|-[^\s:][^:]*?)\s*:(?:\s+(.*))?$/.exec(text);
  if (plain) return { key: plain[1]!, rest: plain[2] ?? "" };
  return undefined;
}

function parseScalar(text: string, line: Line): YamlValue {
  if (text.startsWith('"') || text.startsWith("'")) {
    const match = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')$/.exec(text);
    if (!match) fail(line, "text after a quoted scalar");
    return unquote(match[1]!);
  }
  if (/^[[{&*!|>%@`]/.test(text)) fail(line, `unsupported syntax "${text[0]}"`);
  if (/: |:$/.test(text)) fail(line, 'a plain scalar may not contain ": "');
  return text === "~" || text === "null" ? null : text;
}

function unquote(quoted: string): string {
  if (quoted.startsWith("'")) return quoted.slice(1, -1).replaceAll("''", "'");
  // YAML's double-quoted escapes that compose files use (\" \\ \n \t \uXXXX) are JSON's.
  return JSON.parse(quoted) as string;
}

function fail(line: Line, message: string): never {
  throw new Error(`line ${line.number}: ${message}`);
}
