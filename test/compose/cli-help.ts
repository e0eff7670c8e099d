import { runCli } from "../support/cli.js";

/** One option as `tenant-events <command> --help` lists it. */
export interface HelpOption {
  /** "--tls-cert" */
  flag: string;
  /** Whether it takes a value ("--tls-cert <file>") or is a switch ("--follow"). */
  takesValue: boolean;
  /** The variable that sets it, from "(env: TENANT_EVENTS_…)". */
  env: string | undefined;
  /** A variable holding the secret itself, from "(or TENANT_EVENTS_…)". */
  secretEnv: string | undefined;
}

/** The real CLI's options for a command, keyed by flag; throws when the command does not exist. */
export async function commandOptions(command: string): Promise<Map<string, HelpOption>> {
  const result = await runCli([command, "--help"]);
  if (result.code !== 0) throw new Error(`tenant-events ${command} --help exited ${result.code}`);
  return parseHelpOptions(command, result.stdout);
}

/**
 * Parses commander's help. An option starts on a line indented by two spaces with "--" (or "-x, --");
 * its description may wrap onto deeper-indented lines, which is why env names are looked for in the
 * joined block.
 */
export function parseHelpOptions(command: string, help: string): Map<string, HelpOption> {
  // An unknown command makes commander print the program's help instead of the command's.
  if (!help.startsWith(`Usage: tenant-events ${command} `)) {
    throw new Error(`"${command}" is not a tenant-events command:\n${help}`);
  }
  const section = help.split(/^Options:\n/m)[1];
  if (section === undefined) throw new Error(`no Options section in the help of ${command}`);
  const blocks: string[] = [];
  for (const line of section.split("\n")) {
    if (/^ {2}(?:-\w, )?--[a-z]/.test(line)) blocks.push(line.trim());
    else if (/^ {3,}\S/.test(line) && blocks.length > 0) blocks[blocks.length - 1] += ` ${line.trim()}`;
    else if (line.trim() === "" || /^\S/.test(line)) break;
  }
  const options = new Map<string, HelpOption>();
  for (const block of blocks) {
    const match = /^(?:-\w, )?(--[a-z][a-z0-9-]*)( <[^>]+>| \[[^\]]+\])?/.exec(block);
    if (!match) throw new Error(`unreadable option in the help of ${command}: ${block}`);
    options.set(match[1]!, {
      flag: match[1]!,
      takesValue: match[2] !== undefined,
      env: /env: (TENANT_EVENTS_[A-Z0-9_]+)\)/.exec(block)?.[1],
      secretEnv: /\(or (TENANT_EVENTS_[A-Z0-9_]+)\)/.exec(block)?.[1],
    });
  }
  return options;
}

/** A flag as a command line uses it, with its value (undefined for a switch). */
export interface UsedFlag {
  flag: string;
  value: string | undefined;
}

/**
 * Splits a command's arguments (after the command name) into flags, checking each against the CLI's
 * options: unknown flags, positional arguments, a value missing or given to a switch all throw.
 */
export function parseCommandLine(args: readonly string[], options: Map<string, HelpOption>): UsedFlag[] {
  const used: UsedFlag[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) throw new Error(`positional argument "${arg}": the commands take none`);
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const option = options.get(flag);
    if (option === undefined) throw new Error(`unknown option ${flag}`);
    if (!option.takesValue) {
      if (eq !== -1) throw new Error(`${flag} is a switch and takes no value`);
      used.push({ flag, value: undefined });
      continue;
    }
    if (eq !== -1) {
      used.push({ flag, value: arg.slice(eq + 1) });
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith("--")) throw new Error(`${flag} needs a value`);
    used.push({ flag, value });
    i++;
  }
  return used;
}
