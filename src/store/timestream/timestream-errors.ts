import { FailedPreconditionError, InvalidArgumentError } from "../../errors/errors.js";

/** One record Timestream refused: which item (event id, or report cluster@time), and why. */
export interface RejectedItem {
  item: string;
  reason: string;
  existingVersion?: number;
}

function summary(rejected: readonly RejectedItem[]): string {
  const shown = rejected.slice(0, 3).map((r) => `${r.item}: ${r.reason}`);
  return shown.join("; ") + (rejected.length > 3 ? `; and ${rejected.length - 3} more` : "");
}

/**
 * Records older than the table's memory store retention: Timestream accepts them only when magnetic
 * store writes are enabled on the table (MagneticStoreWriteProperties.EnableMagneticStoreWrites), and
 * then only within the magnetic retention. Backfills need that setting; retrying without it cannot help.
 */
export class TimestreamRetentionError extends FailedPreconditionError {
  constructor(
    readonly table: string,
    readonly rejected: readonly RejectedItem[],
  ) {
    super(
      `Timestream table ${table} rejected ${rejected.length} record(s) as older than its memory store ` +
        `retention; enable magnetic store writes on the table to accept them (${summary(rejected)})`,
    );
  }
}

/** Records more than 15 minutes in the future, which Timestream never accepts: a clock is wrong. */
export class TimestreamFutureTimeError extends InvalidArgumentError {
  constructor(
    readonly table: string,
    readonly rejected: readonly RejectedItem[],
  ) {
    super(
      `Timestream table ${table} rejected ${rejected.length} record(s) timed more than 15 minutes in the ` +
        `future (${summary(rejected)})`,
    );
  }
}

/** Any other per-record rejection (size limits, conflicting versions or values, schema conflicts). */
export class TimestreamRejectedError extends FailedPreconditionError {
  constructor(
    readonly table: string,
    readonly rejected: readonly RejectedItem[],
  ) {
    super(`Timestream table ${table} rejected ${rejected.length} record(s) (${summary(rejected)})`);
  }
}
