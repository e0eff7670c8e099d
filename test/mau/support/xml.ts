/**
 * A strict, small XML 1.0 parser for checking generated documents: it accepts an optional XML
 * declaration, comments, elements with unique, quoted attributes, character data and the predefined and
 * numeric entity references, and throws on anything not well-formed (unbalanced or mismatched tags,
 * stray `<` or `&`, unquoted or duplicate attributes, characters XML forbids, text outside the root).
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data, entities decoded, children's text excluded. */
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  if (FORBIDDEN.test(source)) throw new Error("document contains a character XML does not allow");
  let pos = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} at offset ${pos}`);
  };
  const skipSpace = () => {
    while (pos < source.length && /\s/.test(source[pos] as string)) pos++;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith("<!--", pos)) {
        const end = source.indexOf("-->", pos + 4);
        if (end < 0) fail("unterminated comment");
        if (source.slice(pos + 4, end).includes("--")) fail("'--' inside a comment");
        pos = end + 3;
      } else return;
    }
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;]*);|&/g, (match, ref: string | undefined) => {
      if (ref === undefined) return fail("bare '&'");
      if (ref in ENTITIES) return ENTITIES[ref] as string;
      const code = /^#x[0-9a-fA-F]+$/.test(ref)
        ? parseInt(ref.slice(2), 16)
        : /^#[0-9]+$/.test(ref)
          ? parseInt(ref.slice(1), 10)
          : fail(`unknown entity ${match}`);
      return String.fromCodePoint(code);
    });
  const name = (): string => {
    const match = NAME.exec(source.slice(pos));
    if (match === null) return fail("expected a name");
    pos += match[0].length;
    return match[0];
  };

  const element = (): XmlElement => {
    if (source[pos] !== "<") fail("expected '<'");
    pos++;
    const tag = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = pos;
      skipSpace();
      if (source.startsWith("/>", pos)) {
        pos += 2;
        return { name: tag, attributes, children: [], text: "" };
      }
      if (source[pos] === ">") {
        pos++;
        break;
      }
      if (pos === before) fail("expected whitespace before an attribute");
      const attr = name();
      if (attr in attributes) fail(`duplicate attribute ${attr}`);
      skipSpace();
      if (source[pos] !== "=") fail(`expected '=' after ${attr}`);
      pos++;
      skipSpace();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} is not quoted`);
      const end = source.indexOf(quote as string, pos + 1);
      if (end < 0) fail(`unterminated attribute ${attr}`);
      const raw = source.slice(pos + 1, end);
      if (raw.includes("<")) fail(`'<' in attribute ${attr}`);
      attributes[attr] = decode(raw);
      pos = end + 1;
    }
    const children: XmlElement[] = [];
    let text = "";
    for (;;) {
      if (pos >= source.length) fail(`unclosed <${tag}>`);
      if (source.startsWith("</", pos)) {
        pos += 2;
        const closing = name();
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        skipSpace();
        if (source[pos] !== ">") fail("expected '>'");
        pos++;
        return { name: tag, attributes, children, text };
      }
      if (source.startsWith("<!--", pos)) {
        skipMisc();
        continue;
      }
      if (source[pos] === "<") {
        children.push(element());
        continue;
      }
      const next = source.indexOf("<", pos);
      const raw = source.slice(pos, next < 0 ? source.length : next);
      if (raw.includes("]]>")) fail("']]>' in character data");
      text += decode(raw);
      pos += raw.length;
    }
  };

  if (source.startsWith("<?xml", pos)) {
    const end = source.indexOf("?>", pos);
    if (end < 0) fail("unterminated XML declaration");
    if (
      !/^<\?xml\s+version="1\.[0-9]"(\s+encoding="[A-Za-z][A-Za-z0-9._-]*")?\s*$/.test(source.slice(pos, end))
    ) {
      fail("malformed XML declaration");
    }
    pos = end + 2;
  }
  skipMisc();
  const root = element();
  skipMisc();
  if (pos !== source.length) fail("content after the root element");
  return root;
}

/** Every element below (and including) `root`, depth first. */
export function descendants(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(descendants)];
}

/** All text inside an element, its children's included. */
export function allText(element: XmlElement): string {
  return element.text + element.children.map(allText).join("");
}
