import { pino, type Logger as PinoLogger } from "pino";

/** Structured logger used everywhere; components take it as an option rather than creating their own. */
export type Logger = PinoLogger;

export interface LoggerOptions {
  /** pino level; default "info". */
  level?: string;
  /** Human-readable output (for a TTY); default false: JSON lines. */
  pretty?: boolean;
  /** Destination file descriptor; default 2 (stderr), so stdout stays for command output. */
  fd?: number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const fd = options.fd ?? 2;
  if (options.pretty) {
    return pino({
      level,
      transport: { target: "pino-pretty", options: { destination: fd, colorize: true } },
    });
  }
  return pino({ level }, pino.destination({ fd, sync: true }));
}

/** A logger that drops everything: the default for library code and tests. */
export const silentLogger: Logger = pino({ level: "silent" });
