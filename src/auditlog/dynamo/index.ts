import { AwsStreamsClient, type AwsClientConfig } from "./aws-streams-client.js";
import { DynamoAuditLog, type DynamoAuditLogOptions } from "./dynamo-audit-log.js";

export { DynamoAuditLog, type DynamoAuditLogOptions } from "./dynamo-audit-log.js";
export { AwsStreamsClient, translateAwsError, type AwsClientConfig } from "./aws-streams-client.js";
export {
  ensureEventsTable,
  ingestEventLines,
  ingestEvents,
  writeEvents,
  type IngestLinesResult,
  type IngestOptions,
  type IngestResult,
} from "./ingest.js";
export type { StreamsClient } from "./streams-client.js";

/** The DynamoDB audit log on AWS (or on `endpoint`, e.g. DynamoDB Local). */
export function createDynamoAuditLog(
  options: Omit<DynamoAuditLogOptions, "client"> & AwsClientConfig,
): DynamoAuditLog {
  const { region, endpoint, credentials, ...rest } = options;
  const config: AwsClientConfig = {};
  if (region !== undefined) config.region = region;
  if (endpoint !== undefined) config.endpoint = endpoint;
  if (credentials !== undefined) config.credentials = credentials;
  return new DynamoAuditLog({ ...rest, client: new AwsStreamsClient(config) });
}
