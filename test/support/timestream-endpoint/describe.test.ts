import { QueryCommand, TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import { TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTimestreamEndpoint, type TimestreamEndpoint } from "./timestream-endpoint.js";

const NOW = Date.parse("2024-03-05T12:00:00Z");
const DB = "usage";

let endpoint: TimestreamEndpoint;
let write: TimestreamWriteClient;
let query: TimestreamQueryClient;

beforeEach(async () => {
  endpoint = await startTimestreamEndpoint({ now: () => NOW, tables: [{ database: DB, table: "events" }] });
  const config = { endpoint: endpoint.url, region: endpoint.region, credentials: endpoint.credentials };
  write = new TimestreamWriteClient(config);
  query = new TimestreamQueryClient({ ...config, maxAttempts: 1 });
});

afterEach(async () => {
  write.destroy();
  query.destroy();
  await endpoint.close();
});

async function describeTable(table: string) {
  const page = await query.send(new QueryCommand({ QueryString: `DESCRIBE "${DB}"."${table}"` }));
  return {
    columns: page.ColumnInfo?.map((c) => `${c.Name ?? ""}:${c.Type?.ScalarType ?? ""}`),
    rows: page.Rows?.map((r) => r.Data?.map((d) => d.ScalarValue)),
  };
}

describe("DESCRIBE on the test endpoint", () => {
  it("lists measure_name and time for a table no record has reached", async () => {
    expect(await describeTable("events")).toEqual({
      columns: ["Column:VARCHAR", "Type:VARCHAR", "Timestream attribute type:VARCHAR"],
      rows: [
        ["measure_name", "varchar", "MEASURE_NAME"],
        ["time", "timestamp", "TIMESTAMP"],
      ],
    });
  });

  it("lists the dimensions and measures the records brought", async () => {
    await write.send(
      new WriteRecordsCommand({
        DatabaseName: DB,
        TableName: "events",
        Records: [
          {
            Dimensions: [{ Name: "user", Value: "u1" }],
            MeasureName: "active",
            MeasureValue: "1",
            MeasureValueType: "BIGINT",
            Time: String(NOW),
          },
          {
            Dimensions: [{ Name: "cluster", Value: "c" }],
            MeasureName: "usage",
            MeasureValueType: "MULTI",
            MeasureValues: [{ Name: "users", Value: "3", Type: "BIGINT" }],
            Time: String(NOW),
          },
        ],
      }),
    );
    expect((await describeTable("events")).rows).toEqual([
      ["user", "varchar", "DIMENSION"],
      ["cluster", "varchar", "DIMENSION"],
      ["measure_name", "varchar", "MEASURE_NAME"],
      ["time", "timestamp", "TIMESTAMP"],
      ["measure_value::bigint", "bigint", "MEASURE_VALUE"],
      ["users", "bigint", "MULTI"],
    ]);
  });

  it("answers a missing table as Query does, with a ValidationException", async () => {
    await expect(describeTable("missing")).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringMatching(/table usage\.missing does not exist/) as unknown,
    });
  });
});
