import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { runCli } from "../support/cli.js";

const program = buildProgram();
const commands = program.commands.map((c) => c.name());

/** The example command lines of a help text, continuation lines joined. */
function examples(help: string): string[] {
  const section = help.split("\nExamples:\n")[1]?.split("\n\nExit codes:")[0] ?? "";
  return section
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

describe("each command's --help", () => {
  it("covers every command", () => {
    expect(commands).toEqual(
      expect.arrayContaining(["serve", "stream", "ingest", "report", "tenants", "mau", "demo"]),
    );
  });

  it.each(commands)("%s shows examples that use only its own flags, and the exit codes", async (name) => {
    const result = await runCli([name, "--help"]);
    expect(result.code).toBe(0);
    const lines = examples(result.stdout);
    expect(lines.length).toBeGreaterThan(0);
    const command = program.commands.find((c) => c.name() === name)!;
    const known = new Set(command.options.map((o) => o.long));
    for (const line of lines) {
      expect(line.startsWith(`tenant-events ${name}`), line).toBe(true);
      for (const flag of line.match(/(?<=\s)--[a-z-]+/g) ?? [])
        expect(known, `${line}: ${flag}`).toContain(flag);
      for (const option of command.options.filter((o) => o.mandatory)) expect(line).toContain(option.long);
    }
    expect(result.stdout).toMatch(/\nExit codes:\n {2}0 {2}.+\n {2}1 {2}.+\n {2}2 {2}bad input/);
  });

  it("shows durations as one types them", async () => {
    const result = await runCli(["report", "--help"]);
    const help = result.stdout.replace(/\s+/g, " ");
    expect(help).toContain("(default: 5s,");
    expect(help).toContain("(default: 1h,");
    expect(help).not.toMatch(/default: (5000|3600000)\b/);
  });

  it.each(["mau", "tenants"])("%s's --sink help names PostgreSQL", async (name) => {
    const result = await runCli([name, "--help"]);
    expect(result.stdout.replace(/\s+/g, " ")).toMatch(/--sink <spec> sink: duckdb:PATH, postgres:\/\//);
  });
});
