import {
  CreateTableCommand,
  DescribeEndpointsCommand,
  DescribeTableCommand,
  type _Record,
  RejectedRecordsException,
  ThrottlingException,
  InternalServerException,
  TimestreamWriteClient,
  ValidationException,
  WriteRecordsCommand,
} from "@aws-sdk/client-timestream-write";
import { paginateQuery, QueryCommand, TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTimestreamEndpoint, type TimestreamEndpoint } from "./timestream-endpoint.js";

const NOW = Date.parse("2024-03-05T12:00:00Z");
const DB = "usage";
const TABLE = "events";

let endpoint: TimestreamEndpoint;
let write: TimestreamWriteClient;
let query: TimestreamQueryClient;

beforeEach(async () => {
  endpoint = await startTimestreamEndpoint({
    now: () => NOW,
    tables: [{ database: DB, table: TABLE, memoryStoreRetentionHours: 24 }],
    queryPageSize: 4,
  });
  const config = {
    endpoint: endpoint.url,
    region: endpoint.region,
    credentials: endpoint.credentials,
    maxAttempts: 1,
  };
  write = new TimestreamWriteClient(config);
  query = new TimestreamQueryClient(config);
});

afterEach(async () => {
  write.destroy();
  query.destroy();
  await endpoint.close();
});

function record(id: string, overrides: Partial<_Record> = {}): _Record {
  return {
    Dimensions: [
      { Name: "id", Value: id },
      { Name: "user", Value: "u1" },
    ],
    MeasureName: "active",
    MeasureValue: "1",
    MeasureValueType: "BIGINT",
    Time: String(NOW - 60_000),
    TimeUnit: "MILLISECONDS",
    Version: 1,
    ...overrides,
  };
}

async function send(records: _Record[], table = TABLE) {
  return write.send(new WriteRecordsCommand({ DatabaseName: DB, TableName: table, Records: records }));
}

async function rejections(records: _Record[]) {
  const err = await send(records).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RejectedRecordsException);
  return (err as RejectedRecordsException).RejectedRecords ?? [];
}

async function rows(sql: string): Promise<(string | null)[][]> {
  const out: (string | null)[][] = [];
  for await (const page of paginateQuery({ client: query }, { QueryString: sql })) {
    for (const row of page.Rows ?? [])
      out.push((row.Data ?? []).map((d) => (d.NullValue ? null : (d.ScalarValue ?? ""))));
  }
  return out;
}

describe("Timestream test endpoint", () => {
  it("serves the real write and query clients without endpoint discovery", async () => {
    const result = await send([record("a"), record("b", { Time: String(NOW - 120_000) })]);
    expect(result.RecordsIngested).toEqual({ Total: 2, MemoryStore: 2, MagneticStore: 0 });
    const response = await query.send(
      new QueryCommand({
        QueryString: `SELECT id, measure_value::bigint AS v, time FROM "${DB}"."${TABLE}" ORDER BY time`,
      }),
    );
    expect(response.ColumnInfo).toEqual([
      { Name: "id", Type: { ScalarType: "VARCHAR" } },
      { Name: "v", Type: { ScalarType: "BIGINT" } },
      { Name: "time", Type: { ScalarType: "TIMESTAMP" } },
    ]);
    expect(response.Rows).toEqual([
      {
        Data: [{ ScalarValue: "b" }, { ScalarValue: "1" }, { ScalarValue: "2024-03-05 11:58:00.000000000" }],
      },
      {
        Data: [{ ScalarValue: "a" }, { ScalarValue: "1" }, { ScalarValue: "2024-03-05 11:59:00.000000000" }],
      },
    ]);
    expect(endpoint.calls("DescribeEndpoints")).toBe(0);
    expect(endpoint.calls("WriteRecords")).toBe(1);
  });

  it("pages query results with NextToken", async () => {
    await send(Array.from({ length: 10 }, (_, i) => record(`r${i}`, { Time: String(NOW - i * 1000) })));
    const first = await query.send(
      new QueryCommand({ QueryString: `SELECT id FROM "${DB}"."${TABLE}" ORDER BY id` }),
    );
    expect(first.Rows).toHaveLength(4);
    expect(first.NextToken).toBeDefined();
    const all = await rows(`SELECT id FROM "${DB}"."${TABLE}" ORDER BY id`);
    expect(all.map((r) => r[0])).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
  });

  it("answers Timestream SQL: functions, duration literals, NULL for absent dimensions", async () => {
    await send([record("a"), record("b", { Dimensions: [{ Name: "id", Value: "b" }] })]);
    const result = await rows(
      `SELECT id, "user", date_trunc('month', time) AS month, count(*) AS n FROM "${DB}"."${TABLE}"
       WHERE time >= ago(1h) AND time < from_iso8601_timestamp('2024-03-06T00:00:00Z')
       AND measure_name = 'active' GROUP BY 1, 2, 3 ORDER BY id`,
    );
    expect(result).toEqual([
      ["a", "u1", "2024-03-01 00:00:00.000000000", "1"],
      ["b", null, "2024-03-01 00:00:00.000000000", "1"],
    ]);
  });

  it("refuses more than 100 records, empty dimension values and reserved names as a whole", async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => record(`x${i}`));
    await expect(send(tooMany)).rejects.toThrow(ValidationException);
    await expect(send([record("e", { Dimensions: [{ Name: "id", Value: "" }] })])).rejects.toThrow(
      ValidationException,
    );
    await expect(send([record("e", { Dimensions: [{ Name: "time", Value: "x" }] })])).rejects.toThrow(
      ValidationException,
    );
    expect(endpoint.writeRequests).toEqual([]);
  });

  it("rejects per record: over 2 KB, too far ahead, older than memory retention", async () => {
    const rejected = await rejections([
      record("ok"),
      record("big", { Dimensions: [{ Name: "id", Value: "x".repeat(2100) }] }),
      record("future", { Time: String(NOW + 16 * 60_000) }),
      record("soon", { Time: String(NOW + 14 * 60_000) }),
      record("old", { Time: String(NOW - 25 * 3_600_000) }),
    ]);
    expect(rejected.map((r) => r.RecordIndex)).toEqual([1, 2, 4]);
    expect(rejected[0]?.Reason).toMatch(/exceeds the limit of 2048 bytes/);
    expect(rejected[1]?.Reason).toMatch(/outside the time range/);
    expect(rejected[2]?.Reason).toMatch(/outside the time range/);
    // The accepted records of a partly rejected request are stored, as in Timestream.
    expect(await rows(`SELECT id FROM "${DB}"."${TABLE}" ORDER BY id`)).toEqual([["ok"], ["soon"]]);
  });

  it("accepts old records once magnetic store writes are enabled", async () => {
    const old = record("old", { Time: String(NOW - 30 * 86_400_000) });
    await rejections([old]);
    await write.send(
      new CreateTableCommand({
        DatabaseName: DB,
        TableName: "backfill",
        MagneticStoreWriteProperties: { EnableMagneticStoreWrites: true },
      }),
    );
    const described = await write.send(new DescribeTableCommand({ DatabaseName: DB, TableName: "backfill" }));
    expect(described.Table?.MagneticStoreWriteProperties?.EnableMagneticStoreWrites).toBe(true);
    expect(described.Table?.RetentionProperties?.MemoryStoreRetentionPeriodInHours).toBe(6);
    const result = await send([old], "backfill");
    expect(result.RecordsIngested).toEqual({ Total: 1, MemoryStore: 0, MagneticStore: 1 });
  });

  it("upserts by version: same values accepted, different values need a higher version", async () => {
    await send([record("v")]);
    await expect(send([record("v")])).resolves.toBeDefined();
    const sameVersion = await rejections([record("v", { MeasureValue: "2" })]);
    expect(sameVersion.map((r) => [r.RecordIndex, r.ExistingVersion])).toEqual([[0, 1]]);
    expect(sameVersion[0]?.Reason).toMatch(/same time, dimensions, measure name, and record version/);
    await send([record("v", { MeasureValue: "3", Version: 5 })]);
    const lower = await rejections([record("v", { MeasureValue: "4", Version: 2 })]);
    expect(lower[0]?.ExistingVersion).toBe(5);
    expect(lower[0]?.Reason).toMatch(/lower than the existing/);
    expect(await rows(`SELECT measure_value::bigint FROM "${DB}"."${TABLE}"`)).toEqual([["3"]]);
  });

  it("keeps records with different dimensions apart even at the same time", async () => {
    await send([record("a"), record("b"), record("a")]);
    expect(await rows(`SELECT count(*) FROM "${DB}"."${TABLE}"`)).toEqual([["2"]]);
  });

  it("can reject identical re-sends at the same version when asked to", async () => {
    const strict = await startTimestreamEndpoint({
      now: () => NOW,
      tables: [{ database: DB, table: TABLE }],
      rejectIdenticalDuplicates: true,
    });
    const client = new TimestreamWriteClient({
      endpoint: strict.url,
      region: strict.region,
      credentials: strict.credentials,
      maxAttempts: 1,
    });
    try {
      const command = new WriteRecordsCommand({ DatabaseName: DB, TableName: TABLE, Records: [record("d")] });
      await client.send(command);
      await expect(client.send(command)).rejects.toMatchObject({
        name: "RejectedRecordsException",
        RejectedRecords: [{ RecordIndex: 0, ExistingVersion: 1 }],
      });
    } finally {
      client.destroy();
      await strict.close();
    }
  });

  it("stores MULTI records with a column per measure value", async () => {
    await send([
      {
        Dimensions: [{ Name: "cluster", Value: "c1" }],
        MeasureName: "usage",
        MeasureValueType: "MULTI",
        MeasureValues: [
          { Name: "users", Value: "12", Type: "BIGINT" },
          { Name: "servers", Value: "40", Type: "BIGINT" },
        ],
        Time: String(NOW),
      },
    ]);
    expect(
      await rows(`SELECT cluster, users, servers FROM "${DB}"."${TABLE}" WHERE measure_name = 'usage'`),
    ).toEqual([["c1", "12", "40"]]);
  });

  it("injects throttling, server errors and connection resets", async () => {
    endpoint.failNext("WriteRecords", "throttling");
    endpoint.failNext("WriteRecords", "internal");
    endpoint.failNext("WriteRecords", "reset");
    await expect(send([record("f")])).rejects.toThrow(ThrottlingException);
    await expect(send([record("f")])).rejects.toThrow(InternalServerException);
    await expect(send([record("f")])).rejects.toThrow();
    await expect(send([record("f")])).resolves.toBeDefined();
    expect(endpoint.calls("WriteRecords")).toBe(4);
    expect(endpoint.writeRequests).toHaveLength(1);
  });

  it("reports SQL errors and unknown tables as ValidationException", async () => {
    await expect(
      query.send(new QueryCommand({ QueryString: `SELECT * FROM "${DB}"."missing"` })),
    ).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(send([record("x")], "missing")).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("answers DescribeEndpoints with its own address", async () => {
    const result = await write.send(new DescribeEndpointsCommand({}));
    expect(result.Endpoints).toEqual([{ Address: new URL(endpoint.url).host, CachePeriodInMinutes: 1440 }]);
  });

  it("speaks awsJson1_0 on the wire and refuses unsigned or unknown calls", async () => {
    const post = (headers: Record<string, string>, body = "{}") =>
      fetch(endpoint.url, { method: "POST", headers, body });
    const signed = {
      "content-type": "application/x-amz-json-1.0",
      authorization: "AWS4-HMAC-SHA256 Credential=AKID/20240305/us-east-1/timestream/aws4_request",
    };
    const ok = await post({ ...signed, "x-amz-target": "Timestream_20181101.DescribeEndpoints" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    const unknown = await post({ ...signed, "x-amz-target": "Timestream_20181101.DropEverything" });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toBe("UnknownOperationException");
    const unsigned = await post({
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "Timestream_20181101.DescribeEndpoints",
    });
    expect(unsigned.status).toBe(403);
  });
});
