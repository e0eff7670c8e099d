import { describe, expect, it } from "vitest";
import { parseYamlSubset } from "./yaml-subset.js";

describe("parseYamlSubset", () => {
  it("reads nested mappings, lists of scalars and every scalar as a string", () => {
    const source = [
      "# a comment",
      "name: demo",
      "services:",
      "  web:",
      "    image: web:1.2 # trailing comment",
      "    command:",
      "      - --listen",
      "      - 0.0.0.0:8080",
      '      - "quoted # not a comment"',
      "      - 'it''s'",
      "    ports:",
      "    - 127.0.0.1:80:80",
      '    restart: "no"',
      "volumes:",
      "  data:",
      "  other: ~",
      "",
    ].join("\n");
    expect(parseYamlSubset(source)).toEqual({
      name: "demo",
      services: {
        web: {
          image: "web:1.2",
          command: ["--listen", "0.0.0.0:8080", "quoted # not a comment", "it's"],
          ports: ["127.0.0.1:80:80"],
          restart: "no",
        },
      },
      volumes: { data: null, other: null },
    });
  });

  it("keeps shell text with quotes, globs and URLs in a plain scalar", () => {
    expect(parseYamlSubset('- cat /in/*.log | node x.js "$$@"\n- http://db:8000 || exit 1\n')).toEqual([
      'cat /in/*.log | node x.js "$$@"',
      "http://db:8000 || exit 1",
    ]);
  });

  it.each([
    ["a flow sequence", "a: [1, 2]\n", /line 1: unsupported syntax/],
    ["a flow mapping", "a: {b: 1}\n", /line 1: unsupported syntax/],
    ["an anchor", "a: &x 1\n", /line 1: unsupported syntax/],
    ["an alias", "a: *x\n", /line 1: unsupported syntax/],
    ["a block scalar", "a: |\n  text\n", /line 1: unsupported syntax/],
    ["a sequence of mappings", "a:\n  - b: 1\n", /line 2: sequences of mappings/],
    ["a duplicate key", "a: 1\nb: 2\na: 3\n", /line 3: duplicate key "a"/],
    ["a tab", "a:\n\tb: 1\n", /line 2: tabs/],
    ["a stray deeper line", "a: 1\n  b: 2\n", /line 2: unexpected indentation/],
    ["a multi-line plain scalar", "a:\n  text\n  more\n", /line 2: expected `key: value`/],
    ["an unterminated quote", 'a: "open\n', /line 1: unterminated/],
    ["text after a quoted scalar", 'a: "x" y\n', /line 1: text after a quoted scalar/],
    ["a second document", "a: 1\n---\nb: 2\n", /line 2: documents/],
  ])("refuses %s", (_, source, message) => {
    expect(() => parseYamlSubset(source)).toThrow(message);
  });
});
