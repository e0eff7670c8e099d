import { describe, expect, it } from "vitest";
import { allText, parseXml } from "./xml.js";

describe("parseXml (the checker the chart tests rely on)", () => {
  it("parses elements, attributes, entities and text", () => {
    const root = parseXml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a x="1" y='&lt;&amp;&#65;&#x42;'><b/>t&gt;<c>u</c></a>\n`,
    );
    expect(root.name).toBe("a");
    expect(root.attributes).toEqual({ x: "1", y: "<&AB" });
    expect(root.children.map((c) => c.name)).toEqual(["b", "c"]);
    expect(allText(root)).toBe("t>u");
  });

  it.each([
    ["<a>", /unclosed/],
    ["<a></b>", /closes/],
    ["<a x=1/>", /not quoted/],
    ['<a x="1" x="2"/>', /duplicate/],
    ['<a x="<"/>', /'<' in attribute/],
    ["<a>&</a>", /bare '&'/],
    ["<a>&nbsp;</a>", /unknown entity/],
    ["<a/><b/>", /after the root/],
    ["text<a/>", /expected '<'/],
    ["<a>\u0001</a>", /does not allow/],
    ['<a x="1"y="2"/>', /whitespace/],
    ["<a><!-- -- --></a>", /inside a comment/],
  ])("refuses %j", (source, message) => {
    expect(() => parseXml(source)).toThrow(message);
  });
});
