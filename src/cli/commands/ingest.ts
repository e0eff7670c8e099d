import type { Command } from "commander";
import { DEFAULT_MAX_LINE_BYTES } from "../../auditlog/audit-log-defaults.js";
import type { AuditLogSpec } from "../../auditlog/open-audit-log.js";
import { inputLines } from "../../auditlog/input-lines.js";
import { MAX_JSON_DEPTH } from "../../events/json-guard.js";
import { defineCommand } from "../define-command.js";
import { envOption } from "../env-option.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { auditLogOption, awsOptions, logOptions } from "../shared-flags.js";
import { EXIT_FAILURE, EXIT_OK, UsageError } from "../usage-error.js";

interface IngestFlags extends LogFlags {
  auditLog: AuditLogSpec;
  enableStream: boolean;
  endpoint?: string;
  region?: string;
}

/** `tenant-events ingest` and its flags. */
export function ingestCommand(): Command {
  return defineCommand(
    "ingest",
    "writes Teleport JSON events (JSON Lines on stdin) in Teleport's own storage format; lines over " +
      `${DEFAULT_MAX_LINE_BYTES / (1024 * 1024)} MiB, not UTF-8 or nested deeper than ${MAX_JSON_DEPTH} ` +
      "levels are reported and skipped, as serve skips them",
    [
      auditLogOption().makeOptionMandatory(),
      envOption(
        "--enable-stream",
        "DynamoDB: turn on a NEW_IMAGE stream on an existing table that has none (otherwise refused, never changed)",
        false,
      ),
      ...logOptions(),
      ...awsOptions("DynamoDB endpoint URL (e.g. DynamoDB Local); default: AWS"),
    ],
    run,
  );
}

/**
 * `tenant-events ingest`: Teleport JSON events (JSON Lines on stdin) into the audit log in Teleport's own
 * storage format. Prints a summary; invalid lines are reported and skipped, and make the exit code 1.
 */
export async function run(flags: IngestFlags): Promise<number> {
  const logger = await loggerFromFlags(flags);
  if (process.stdin.isTTY) throw new UsageError("ingest reads JSON Lines events from stdin: pipe a file in");
  // Each line is bounded before it is decoded or parsed, with the bound and the UTF-8 rule of `serve`'s
  // reader: a line it would skip is refused here, not rewritten or parsed whole.
  const lines = inputLines(process.stdin as AsyncIterable<Buffer>, DEFAULT_MAX_LINE_BYTES);
  switch (flags.auditLog.kind) {
    case "file": {
      // Loaded here, not above, so that building the program for --help does not load the file log.
      const { appendEvents } = await import("../../auditlog/file/index.js");
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
    case "dynamodb": {
      const { ingestEventLines } = await import("../../auditlog/dynamo/index.js");
      const result = await ingestEventLines(
        { table: flags.auditLog.table, endpoint: flags.endpoint, region: flags.region },
        lines,
        { logger, enableStream: flags.enableStream },
      );
      for (const invalid of result.invalidLines.slice(0, 100)) {
        process.stderr.write(`line ${invalid.line}: ${invalid.reason}\n`);
      }
      const duplicates = result.duplicates > 0 ? `, ${result.duplicates} already present` : "";
      process.stdout.write(
        `ingested ${result.written} event(s) into DynamoDB table ${flags.auditLog.table}${duplicates}; ${result.invalid} invalid line(s) skipped\n`,
      );
      return result.invalid > 0 ? EXIT_FAILURE : EXIT_OK;
    }
  }
}
