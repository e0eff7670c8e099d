import { Command, type Option } from "commander";
import { helpAfterOptions } from "./help-text.js";
import { UsageError } from "./usage-error.js";

/** A command's run function: its parsed flags in, the process exit code out. */
export type RunCommand<Flags> = (flags: Flags) => Promise<number>;

/**
 * A subcommand with its options, its help epilogue and the settings every subcommand needs (addCommand
 * does not inherit them from the program): usage errors throw instead of exiting, and boolean variables
 * are read as words.
 */
export function defineCommand<Flags>(
  name: string,
  description: string,
  options: readonly Option[],
  run: RunCommand<Flags>,
): Command {
  const command = new Command(name).description(description);
  for (const option of options) command.addOption(option);
  return command
    .action(async (flags: Flags) => {
      process.exitCode = await run(flags);
    })
    .addHelpText("after", helpAfterOptions(name))
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .hook("preAction", (cmd) => applyBooleanEnv(cmd));
}

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off", ""]);

/** Commander turns a flag on when its variable merely exists; honour TENANT_EVENTS_FOLLOW=false too. */
function applyBooleanEnv(command: Command): void {
  for (const option of command.options) {
    if (option.required || option.optional || option.envVar === undefined) continue;
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== "env") continue;
    const word = (process.env[option.envVar] ?? "").trim().toLowerCase();
    if (TRUE_WORDS.has(word)) command.setOptionValueWithSource(key, true, "env");
    else if (FALSE_WORDS.has(word)) command.setOptionValueWithSource(key, false, "env");
    else throw new UsageError(`${option.envVar} must be true or false, got "${word}"`);
  }
}
