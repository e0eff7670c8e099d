import { pino, type Level } from "pino";
import type { Logger } from "../../src/observability/logger.js";

/** One log record as the product writes it (pino's JSON). */
export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger at `level` (default debug) that keeps every record it writes, parsed, and the raw text. */
export function captureLogs(level: Level = "debug"): {
  logger: Logger;
  records: LogRecord[];
  /** Everything written, as the lines pino wrote. */
  text: () => string;
} {
  const records: LogRecord[] = [];
  const lines: string[] = [];
  const logger = pino(
    { level },
    {
      write: (line: string) => {
        lines.push(line);
        records.push(JSON.parse(line) as LogRecord);
      },
    },
  );
  return { logger, records, text: () => lines.join("") };
}
