import type { StartPosition } from "../audit-log.js";
import { InvalidArgumentError } from "../../errors/errors.js";
import { silentLogger, type Logger } from "../../observability/logger.js";
import { newRegistry, type Registry } from "../../observability/metrics.js";

import {
  DEFAULT_CHUNK_BYTES,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_POLL_INTERVAL_MS,
} from "../audit-log-defaults.js";

export { DEFAULT_CHUNK_BYTES, DEFAULT_MAX_LINE_BYTES, DEFAULT_POLL_INTERVAL_MS };

// setTimeout fires at once for longer delays.
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface FileAuditLogOptions {
  /** Where a stream with an empty cursor starts: the oldest file's start, or after the newest complete
   * line. Default "trim_horizon". */
  start?: StartPosition;
  /** Bytes read per read call; bounds how far reading runs ahead of the consumer. Default 64 KiB. */
  chunkBytes?: number;
  /** Longest line kept (without its "\n"); longer lines are logged, counted and skipped. Default 16 MiB. */
  maxLineBytes?: number;
  /**
   * A cursor naming a day file that no longer exists while later ones do (removed by retention): "fail"
   * (the default) refuses the stream with DATA_LOSS; "skip" logs and counts the gap and continues with
   * the next day file.
   */
  onTrim?: "fail" | "skip";
  /** Interval of the polling fallback while following. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Use fs.watch on the directory to notice new data promptly (polling still runs). Default true;
   * turn off where change notification is unavailable (some network file systems). */
  watch?: boolean;
  /** Default: silent. */
  logger?: Logger;
  /** Where the metrics go. Default: a private registry (metrics kept but not exported). */
  registry?: Registry;
}

export type ResolvedFileAuditLogOptions = Required<FileAuditLogOptions>;

/** Applies the defaults. @throws InvalidArgumentError on a value out of range. */
export function resolveFileAuditLogOptions(options: FileAuditLogOptions = {}): ResolvedFileAuditLogOptions {
  const resolved: ResolvedFileAuditLogOptions = {
    start: options.start ?? "trim_horizon",
    chunkBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    onTrim: options.onTrim ?? "fail",
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    watch: options.watch ?? true,
    logger: options.logger ?? silentLogger,
    registry: options.registry ?? newRegistry(),
  };
  if (resolved.start !== "trim_horizon" && resolved.start !== "latest") {
    throw new InvalidArgumentError(
      `start must be "trim_horizon" or "latest", got "${String(resolved.start)}"`,
    );
  }
  if (resolved.onTrim !== "fail" && resolved.onTrim !== "skip") {
    throw new InvalidArgumentError(`onTrim must be "fail" or "skip", got "${String(resolved.onTrim)}"`);
  }
  positiveInteger("chunkBytes", resolved.chunkBytes);
  positiveInteger("maxLineBytes", resolved.maxLineBytes);
  positiveInteger("pollIntervalMs", resolved.pollIntervalMs);
  if (resolved.pollIntervalMs > MAX_TIMER_MS) {
    throw new InvalidArgumentError(`pollIntervalMs must be at most ${MAX_TIMER_MS}`);
  }
  return resolved;
}

export function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`);
  }
}
