import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sourceMatches } from "../support/source-matches.js";

const root = join(import.meta.dirname, "../..");

interface Policy {
  Version: string;
  Statement: { Effect: string; Action: string[]; Resource: string }[];
}

/** The IAM policies the README gives, in order. */
function readmePolicies(): Policy[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  return [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => m[1]!.replace(/^ {2}/gm, ""))
    .map((text) => JSON.parse(text) as Policy)
    .filter((p) => Array.isArray(p.Statement));
}

/** The AWS SDK commands the product sends, by the folder that sends them. */
const sdkCommands = (folder: string, only?: RegExp) =>
  sourceMatches(join("src", folder), /new (\w+)Command\(/g, only);

describe("the README's IAM policies", () => {
  const policies = readmePolicies();
  const actions = new Set(policies.flatMap((p) => p.Statement.flatMap((s) => s.Action)));

  it("are valid policy documents", () => {
    expect(policies.length).toBeGreaterThanOrEqual(3);
    for (const policy of policies) {
      expect(policy.Version).toBe("2012-10-17");
      for (const statement of policy.Statement) {
        expect(statement.Effect).toBe("Allow");
        expect(statement.Resource).toMatch(/^(\*|arn:aws:(dynamodb|timestream):REGION:ACCOUNT:.+)$/);
      }
    }
  });

  it("name every DynamoDB and DynamoDB Streams call the product makes, and nothing else", () => {
    const calls = sdkCommands("auditlog/dynamo");
    expect(calls.size).toBeGreaterThanOrEqual(5);
    const dynamo = [...actions].filter((a) => a.startsWith("dynamodb:")).map((a) => a.slice(9));
    expect(new Set(dynamo)).toEqual(calls);
  });

  it("name every Timestream write, with DescribeEndpoints on any resource", () => {
    const writes = sdkCommands("store/timestream", /@aws-sdk\/client-timestream-write/);
    expect(writes.size).toBeGreaterThanOrEqual(1);
    for (const call of writes) expect(actions).toContain(`timestream:${call}`);
    const endpoints = policies
      .flatMap((p) => p.Statement)
      .find((s) => s.Action.includes("timestream:DescribeEndpoints"));
    expect(endpoints?.Resource).toBe("*");
  });
});
