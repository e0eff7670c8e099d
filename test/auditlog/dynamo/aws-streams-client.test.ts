import {
  ProvisionedThroughputExceededException,
  ResourceNotFoundException as TableNotFound,
} from "@aws-sdk/client-dynamodb";
import {
  ExpiredIteratorException,
  InternalServerError,
  LimitExceededException,
  ResourceNotFoundException,
  TrimmedDataAccessException,
} from "@aws-sdk/client-dynamodb-streams";
import { describe, expect, it } from "vitest";
import { translateAwsError } from "../../../src/auditlog/dynamo/aws-streams-client.js";
import {
  ExpiredIteratorError,
  ThrottledError,
  TrimmedDataError,
} from "../../../src/auditlog/dynamo/streams-errors.js";
import {
  DataLossError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from "../../../src/errors/errors.js";

const meta = { $metadata: {}, message: "from AWS" };

function serviceError(name: string): Error {
  const err = new Error("from AWS");
  err.name = name;
  return err;
}

describe("translateAwsError", () => {
  it.each<[string, unknown, new (...args: never[]) => Error]>([
    ["ExpiredIteratorException", new ExpiredIteratorException(meta), ExpiredIteratorError],
    ["TrimmedDataAccessException", new TrimmedDataAccessException(meta), TrimmedDataError],
    ["LimitExceededException", new LimitExceededException(meta), ThrottledError],
    [
      "ProvisionedThroughputExceededException",
      new ProvisionedThroughputExceededException(meta),
      ThrottledError,
    ],
    ["ThrottlingException", serviceError("ThrottlingException"), ThrottledError],
    ["RequestLimitExceeded", serviceError("RequestLimitExceeded"), ThrottledError],
    ["ValidationException", serviceError("ValidationException"), InvalidArgumentError],
    ["InternalServerError", new InternalServerError(meta), UnavailableError],
    ["a network error", new TypeError("fetch failed"), UnavailableError],
  ])("%s", (_name, err, expected) => {
    const translated = translateAwsError(err, "GetRecords");
    expect(translated).toBeInstanceOf(expected);
    expect(translated.cause).toBe(err);
  });

  it("a trimmed position is a DataLossError should it escape the reader", () => {
    expect(translateAwsError(new TrimmedDataAccessException(meta), "GetRecords")).toBeInstanceOf(
      DataLossError,
    );
  });

  it("a missing table is NotFound naming the table", () => {
    const translated = translateAwsError(new TableNotFound(meta), "DescribeTable", { table: "events" });
    expect(translated).toBeInstanceOf(NotFoundError);
    expect(translated.message).toBe("table events not found");
  });

  it("a missing shard is NotFound naming the shard", () => {
    const translated = translateAwsError(new ResourceNotFoundException(meta), "GetShardIterator", {
      shardId: "shardId-1",
    });
    expect(translated).toBeInstanceOf(NotFoundError);
    expect(translated.message).toBe("shard shardId-1 not found in the stream");
  });

  it("passes domain errors through and keeps the SDK's error name and message", () => {
    const domain = new FailedPreconditionError("x");
    expect(translateAwsError(domain, "DescribeTable")).toBe(domain);
    expect(translateAwsError(new InternalServerError(meta), "GetRecords").message).toBe(
      "DynamoDB GetRecords failed: InternalServerError: from AWS",
    );
    expect(translateAwsError(new TypeError("fetch failed"), "GetRecords").message).toBe(
      "DynamoDB GetRecords failed: TypeError: fetch failed",
    );
  });

  it.each<[string, Error, RegExp]>([
    [
      "no region",
      new Error("Region is missing"),
      /not configured \(Region is missing\); set the region \(--region or AWS_REGION\)$/,
    ],
    [
      "no credentials",
      Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
      /not configured \(CredentialsProviderError: Could not load credentials from any providers\); give it credentials/,
    ],
    [
      "a missing permission",
      serviceError("AccessDeniedException"),
      /^DynamoDB DescribeTable on events is not permitted for these credentials \(AccessDeniedException: from AWS\); see the README's IAM policy/,
    ],
    [
      "unknown credentials",
      serviceError("UnrecognizedClientException"),
      /not permitted .*UnrecognizedClientException/,
    ],
  ])("%s is a FailedPreconditionError that keeps the SDK's cause (not retried)", (_what, err, message) => {
    const translated = translateAwsError(err, "DescribeTable", { table: "events" });
    expect(translated).toBeInstanceOf(FailedPreconditionError);
    expect(translated.message).toMatch(message);
    expect(translated.cause).toBe(err);
  });
});
