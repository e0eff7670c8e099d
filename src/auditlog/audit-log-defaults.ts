/**
 * Defaults of the two audit logs, in a module of their own so that the CLI can show them in --help
 * without loading either log.
 */

/** File log: bytes read per read call by default. */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** File log: longest event line accepted by default (without its "\n"); longer lines are reported and skipped. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** File log: how often a following stream looks for new data by default when no change notification arrives. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * DynamoDB: an idle shard is polled 2.5 times a second: a write reaches the client within 0.4 s plus a
 * call, and two processes reading a shard (AWS's advised most) stay within its 5 GetRecords per second.
 */
export const DEFAULT_DYNAMO_POLL_MS = 400;

/** DynamoDB: reads in flight per stream, 64 shards at once (a few MiB of pages at typical event sizes). */
export const DEFAULT_MAX_CONCURRENT_SHARD_READS = 64;
