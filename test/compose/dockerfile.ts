import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../support/cli.js";

/** One Dockerfile instruction, continuation lines joined: `COPY --from=build /app/dist ./dist`. */
export interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions split into stages (each starts with its FROM). */
export function readDockerfile(): Instruction[][] {
  const instructions = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const space = l.indexOf(" ");
      return { keyword: l.slice(0, space).toUpperCase(), args: l.slice(space + 1).trim() };
    });
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") stages.push([]);
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`Dockerfile: ${instruction.keyword} before the first FROM`);
    stage.push(instruction);
  }
  return stages;
}

/** A COPY's options (e.g. from: "build"), sources and destination. */
export function copyParts(args: string): { from: string | undefined; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const options = words.filter((w) => w.startsWith("--"));
  const paths = words.filter((w) => !w.startsWith("--"));
  if (paths.length < 2) throw new Error(`COPY ${args}: needs a source and a destination`);
  const from = options.find((o) => o.startsWith("--from="))?.slice("--from=".length);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

/** The patterns of .dockerignore; this test understands plain paths only and refuses globs. */
export function readDockerignore(): string[] {
  const patterns = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  for (const pattern of patterns) {
    if (/[*?[\]!]/.test(pattern))
      throw new Error(`the test reads plain .dockerignore paths only: ${pattern}`);
  }
  return patterns;
}
