/** JSON Pointers (RFC 6901), as `exact_numbers` keys use them. */

export function formatPointer(tokens: readonly string[]): string {
  let pointer = "";
  for (const token of tokens) pointer += "/" + token.replaceAll("~", "~0").replaceAll("/", "~1");
  return pointer;
}

/** The reference tokens of a pointer; undefined when it is not one ("" is the whole document). */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return undefined;
  const tokens: string[] = [];
  for (const raw of pointer.slice(1).split("/")) {
    if (/~[^01]|~$/.test(raw)) return undefined;
    tokens.push(raw.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  return tokens;
}
