/**
 * The events server's defaults, in a module of their own so the CLI can show them in --help without
 * loading the server.
 */

export const DEFAULT_EVENTS_LISTEN = "127.0.0.1:50051";

/**
 * DynamoDB advises at most two readers per shard; each stream reads every shard, so the bound is about
 * server memory and file handles rather than AWS, and operators lower it for DynamoDB.
 */
export const DEFAULT_MAX_STREAMS = 64;
