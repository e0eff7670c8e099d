import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Command } from "commander";
import { InvalidArgumentError } from "../../errors/errors.js";
import {
  DEFAULT_CLUSTERS,
  DEFAULT_MONTHS,
  DEFAULT_SEED,
  DEFAULT_USERS,
} from "../../generate/generate-options.js";
import { defineCommand } from "../define-command.js";
import { envOption } from "../env-option.js";
import { abortOnSignals } from "../signals.js";
import { EXIT_FAILURE, EXIT_OK, UsageError } from "../usage-error.js";

/** Numbers may arrive parsed (an option parser) or as the text the user typed. */
type NumberFlag = number | string | undefined;

export interface GenerateFlags {
  events: NumberFlag;
  users?: NumberFlag;
  months?: NumberFlag;
  seed?: NumberFlag;
  /** "YYYY-MM"; default: the `months` whole months before the current one. */
  start?: string | undefined;
  clusters?: NumberFlag;
  /** File to write; default stdout. */
  output?: string | undefined;
}

/** `tenant-events generate` and its flags; numbers stay text until `run` checks them. */
export function generateCommand(): Command {
  return defineCommand(
    "generate",
    "writes synthetic Teleport audit events (JSON Lines), deterministic for a seed",
    [
      envOption("--events <n>", "exactly this many events").makeOptionMandatory(),
      envOption("--users <n>", "users to draw from, humans and bots", String(DEFAULT_USERS)),
      envOption("--months <n>", "calendar months covered", String(DEFAULT_MONTHS)),
      envOption("--seed <n>", "same flags and seed give the same bytes", String(DEFAULT_SEED)),
      envOption("--start <YYYY-MM>", "first month (UTC); default: the months before the current one"),
      envOption("--clusters <n>", "cluster names to spread events over", String(DEFAULT_CLUSTERS)),
      envOption("--output <file>", "write here instead of stdout"),
    ],
    run,
  );
}

function wholeNumber(name: string, value: NumberFlag, fallback: number | undefined): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  return Number(text);
}

/**
 * The default first month: `months` complete months ending with the last month before `now`, so a
 * default run covers the recent past and nothing in the future. Pass --start for output that does not
 * depend on the date.
 */
export function defaultStart(months: number, now: Date): string {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
  return first.toISOString().slice(0, 7);
}

function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === "EPIPE";
}

async function openOutput(path: string): Promise<Writable> {
  const file = createWriteStream(path);
  try {
    await once(file, "open");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot write ${path}: ${reason}`, { cause: error });
  }
  return file;
}

async function closeOutput(file: Writable): Promise<void> {
  if (file.closed) return;
  const closed = once(file, "close");
  file.end();
  await closed;
}

/**
 * `tenant-events generate`: synthetic Teleport audit events as JSON Lines, in time order, on stdout or
 * into --output. The same flags (with --start) give the same bytes.
 */
export async function run(flags: GenerateFlags): Promise<number> {
  // Loaded here, not above, so that building the program for --help does not load the generator.
  const [{ generateEvents }, { writeLines }] = await Promise.all([
    import("../../generate/generate-events.js"),
    import("../../generate/write-lines.js"),
  ]);
  const events = wholeNumber("events", flags.events, undefined);
  const months = wholeNumber("months", flags.months, DEFAULT_MONTHS);
  const options = {
    events,
    months,
    users: wholeNumber("users", flags.users, DEFAULT_USERS),
    seed: wholeNumber("seed", flags.seed, DEFAULT_SEED),
    clusters: wholeNumber("clusters", flags.clusters, DEFAULT_CLUSTERS),
    start: flags.start ?? defaultStart(months, new Date()),
  };
  let lines: Iterable<string>;
  try {
    lines = generateEvents(options);
  } catch (error) {
    // Option messages start with the option's name, which is also the flag's.
    if (error instanceof InvalidArgumentError) throw new UsageError(`--${error.message}`);
    throw error;
  }

  const stop = abortOnSignals();
  const out = flags.output === undefined ? process.stdout : await openOutput(flags.output);
  let written: number;
  try {
    written = await writeLines(lines, out, { signal: stop.signal });
  } catch (error) {
    if (stop.signal.aborted) {
      process.stderr.write("generate: interrupted; the output is incomplete\n");
      return EXIT_FAILURE;
    }
    // The reader went away (e.g. `| head`): stop quietly, as command-line tools do.
    if (flags.output === undefined && isBrokenPipe(error)) return EXIT_OK;
    throw error;
  } finally {
    stop.dispose();
    if (out !== process.stdout) await closeOutput(out);
  }
  if (flags.output !== undefined) {
    process.stderr.write(
      `wrote ${written} event(s) to ${flags.output}: ${options.months} month(s) from ${options.start}, ` +
        `up to ${options.users} user(s), ${options.clusters} cluster(s), seed ${options.seed}\n`,
    );
  }
  return EXIT_OK;
}
