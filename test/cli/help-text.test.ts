import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { SINK_KINDS } from "../../src/store/open-store.js";
import { parseSinkSpec, SINK_FORMS } from "../../src/store/sink-spec.js";
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

  it("lists a --sink form for every backend the store opener accepts, each one parsing to its backend", () => {
    expect(Object.keys(SINK_FORMS).sort()).toEqual([...SINK_KINDS].sort());
    for (const [kind, form] of Object.entries(SINK_FORMS)) expect(parseSinkSpec(form).kind).toBe(kind);
  });

  const sinkCommands = program.commands.filter((c) => c.options.some((o) => o.long === "--sink"));

  it("has --sink on the commands that open a store", () => {
    expect(sinkCommands.map((c) => c.name()).sort()).toEqual(["demo", "mau", "tenants"]);
  });

  it.each(sinkCommands.map((c) => c.name()))("%s's --sink help names every backend", async (name) => {
    const result = await runCli([name, "--help"]);
    const line = /--sink <spec> (.*?)\(env: TENANT_EVENTS_SINK\)/.exec(result.stdout.replace(/\s+/g, " "));
    expect(line, `${name} --sink`).not.toBeNull();
    for (const kind of SINK_KINDS) expect(line![1], `${name} --sink: ${kind}`).toContain(SINK_FORMS[kind]);
  });
});
