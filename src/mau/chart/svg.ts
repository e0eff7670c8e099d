/** Just enough to write well-formed SVG by hand: elements, attributes and text, always escaped. */

export type Attributes = Record<string, string | number | undefined>;

/**
 * Characters XML 1.0 does not allow at all, even escaped (controls other than tab, LF and CR; lone
 * surrogates; U+FFFE/U+FFFF): stored values are arbitrary text, so they are replaced, not escaped.
 */
/* eslint-disable no-control-regex */
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, "\ufffd")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** A number as SVG wants it: at most two decimals, no exponent, no "-0". */
export function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${typeof value === "number" ? num(value) : escapeXml(value)}"`)
    .join("");
}

/** An element; children are already-rendered markup (use `text` for character data). */
export function el(name: string, attrs: Attributes = {}, ...children: string[]): string {
  const open = `<${name}${attributes(attrs)}`;
  return children.length === 0 ? `${open}/>` : `${open}>${children.join("")}</${name}>`;
}

export function text(value: string): string {
  return escapeXml(value);
}
