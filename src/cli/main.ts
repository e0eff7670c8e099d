import { pathToFileURL } from "node:url";
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";
import { EXIT_FAILURE, EXIT_USAGE, UsageError } from "./usage-error.js";
import { isDomainError } from "../errors/errors.js";

/**
 * Runs the CLI and resolves to the process exit code: 0 success, 1 failure, 2 bad input (one line on
 * stderr saying what is wrong).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version "errors" are successful exits; commander already printed the message.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof UsageError || (isDomainError(err) && err.kind === "invalid-argument")) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    return EXIT_FAILURE;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv);
}
