import { createInterface } from "node:readline";
import type { AuditLogSpec } from "../../auditlog/open-audit-log.js";
import { appendEvents } from "../../auditlog/file/append-events.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { EXIT_FAILURE, EXIT_OK, UsageError } from "../usage-error.js";

interface IngestFlags extends LogFlags {
  auditLog: AuditLogSpec;
  endpoint?: string;
  region?: string;
}

/**
 * `tenant-events ingest`: Teleport JSON events (JSON Lines on stdin) into the audit log in Teleport's own
 * storage format. Prints a summary; invalid lines are reported and skipped, and make the exit code 1.
 */
export async function run(flags: IngestFlags): Promise<number> {
  const logger = loggerFromFlags(flags);
  if (process.stdin.isTTY) throw new UsageError("ingest reads JSON Lines events from stdin: pipe a file in");
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  switch (flags.auditLog.kind) {
    case "file": {
      const result = await appendEvents(flags.auditLog.dir, lines, { logger });
      for (const invalid of result.invalidLines) {
        process.stderr.write(`line ${invalid.line}: ${invalid.reason}\n`);
      }
      const late = result.late > 0 ? `, ${result.late} late (appended to the newest day file)` : "";
      process.stdout.write(
        `ingested ${result.written} event(s) into ${result.files.length} day file(s)${late}; ${result.invalid} invalid line(s) skipped\n`,
      );
      return result.invalid > 0 ? EXIT_FAILURE : EXIT_OK;
    }
    case "dynamodb":
      throw new UsageError("ingest into DynamoDB is not available in this build yet");
  }
}
