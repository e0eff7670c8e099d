import type { Logger } from "../observability/logger.js";

export interface LogFlags {
  logLevel?: string;
  logFormat?: string;
}

/**
 * The command's logger on stderr: pretty on a terminal (or when asked), JSON lines otherwise. The
 * logging library is loaded here, when a command runs, so that building the program for --help does
 * not load it.
 */
export async function loggerFromFlags(flags: LogFlags): Promise<Logger> {
  const { createLogger } = await import("../observability/logger.js");
  const format = flags.logFormat ?? "auto";
  const pretty = format === "pretty" || (format === "auto" && process.stderr.isTTY === true);
  return createLogger({ level: flags.logLevel ?? "info", pretty });
}
