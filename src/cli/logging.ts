import { createLogger, type Logger } from "../observability/logger.js";

export interface LogFlags {
  logLevel?: string;
  logFormat?: string;
}

/** The command's logger on stderr: pretty on a terminal (or when asked), JSON lines otherwise. */
export function loggerFromFlags(flags: LogFlags): Logger {
  const format = flags.logFormat ?? "auto";
  const pretty = format === "pretty" || (format === "auto" && process.stderr.isTTY === true);
  return createLogger({ level: flags.logLevel ?? "info", pretty });
}
