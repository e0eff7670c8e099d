import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";

/** Every option of every command, with the command it belongs to. */
function allOptions() {
  return buildProgram().commands.flatMap((command) =>
    command.options.map((option) => ({ command: command.name(), option })),
  );
}

describe("environment equivalents", () => {
  it("follow the rule the README states for every flag: TENANT_EVENTS_<FLAG>", () => {
    const options = allOptions();
    expect(options.length).toBeGreaterThan(0);
    for (const { command, option } of options) {
      const flag = option.long ?? "";
      const expected = `TENANT_EVENTS_${flag.replace(/^--/, "").replace(/-/g, "_").toUpperCase()}`;
      expect(`${command} ${flag}: ${option.envVar}`).toBe(`${command} ${flag}: ${expected}`);
    }
  });

  it("are documented in the README, the rule and every secret's own variable", async () => {
    const readme = (await readFile(new URL("../../README.md", import.meta.url), "utf8")).replace(/\s+/g, " ");
    expect(readme).toContain("Every flag has an environment equivalent `TENANT_EVENTS_<FLAG>`");
    const secrets = new Set(
      allOptions().flatMap(({ option }) =>
        [...option.description.matchAll(/\(or (TENANT_EVENTS_[A-Z_]+)\)/g)].map((m) => m[1]),
      ),
    );
    expect([...secrets].sort()).toEqual([
      "TENANT_EVENTS_ANONYMIZATION_KEY",
      "TENANT_EVENTS_SERVER_TOKEN",
      "TENANT_EVENTS_TENANT_TOKEN",
      "TENANT_EVENTS_TOKEN",
    ]);
    for (const variable of secrets)
      expect(readme.includes(`\`${variable}\``), `${variable} in the README`).toBe(true);
  });
});
