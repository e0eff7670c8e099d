import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CONTENT_TYPE,
  internal,
  readJsonBody,
  sendError,
  sendJson,
  ServiceError,
  TARGET_PREFIX,
  throttling,
  validation,
} from "./protocol.js";
import { QueryPager } from "./query-results.js";
import { parseWriteRecords } from "./records.js";
import { DEFAULT_TABLE_SETTINGS, type TableSettings, TimestreamStore } from "./store.js";

/**
 * A Timestream stand-in for tests: an HTTP server on 127.0.0.1 speaking the awsJson1_0 protocol
 * (`X-Amz-Target: Timestream_20181101.<Operation>`, `application/x-amz-json-1.0`), so the real
 * `@aws-sdk/client-timestream-write` and `-query` clients run against it unchanged when given its
 * `endpoint` (a custom endpoint also turns off their endpoint discovery; `calls("DescribeEndpoints")`
 * shows it).
 *
 * Enforced as documented for Timestream: 1..100 records per WriteRecords; 2 KB per record; time at most
 * 15 minutes ahead and within the table's memory store retention unless magnetic store writes are
 * enabled (then within magnetic retention); non-empty dimension values and reserved column names;
 * upserts by (dimensions, time, measure name) with versions — a higher version replaces, the same values
 * are accepted, different values at an equal or lower version are rejected with ExistingVersion. Rejected
 * records come back per record in a RejectedRecordsException (HTTP 419) while the request's other records
 * are stored, as Timestream does.
 *
 * Query runs the SQL on DuckDB after the rewrites in sql.ts and answers with Timestream's shape
 * (ColumnInfo, Rows of ScalarValue/NullValue, NextToken paging).
 */

export type FaultKind = "throttling" | "internal" | "unavailable" | "reset";

export interface EndpointTable extends Partial<TableSettings> {
  database: string;
  table: string;
}

export interface TimestreamEndpointOptions {
  /** The endpoint's clock in epoch milliseconds (drives the ingestion window); default Date.now. */
  now?: () => number;
  /** Tables to create at start (databases are created as needed). */
  tables?: EndpointTable[];
  /** See StoreOptions.rejectIdenticalDuplicates; default false (the documented behaviour). */
  rejectIdenticalDuplicates?: boolean;
  /** Rows per Query page when the request sets no MaxRows; default 1000. */
  queryPageSize?: number;
}

export interface WriteRequestLog {
  database: string;
  table: string;
  records: number;
  rejected: number;
}

export interface TimestreamEndpoint {
  /** `http://127.0.0.1:PORT`, for the clients' `endpoint` option. */
  readonly url: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every WriteRecords request that reached the store, in arrival order. */
  readonly writeRequests: readonly WriteRequestLog[];
  createTable(table: EndpointTable): Promise<void>;
  updateTable(database: string, table: string, settings: Partial<TableSettings>): void;
  /** The next `times` calls of `operation` fail with `fault` before touching the store. */
  failNext(operation: string, fault: FaultKind, times?: number): void;
  /** How many requests named `operation` arrived (faulted ones included). */
  calls(operation: string): number;
  close(): Promise<void>;
}

export async function startTimestreamEndpoint(
  options: TimestreamEndpointOptions = {},
): Promise<TimestreamEndpoint> {
  const now = options.now ?? Date.now;
  const store = await TimestreamStore.create({
    rejectIdenticalDuplicates: options.rejectIdenticalDuplicates ?? false,
  });
  const pager = new QueryPager(options.queryPageSize ?? 1000);
  const faults = new Map<string, FaultKind[]>();
  const callCounts = new Map<string, number>();
  const writeRequests: WriteRequestLog[] = [];

  const createTable = async (t: EndpointTable): Promise<TableSettings> => {
    if (!store.hasDatabase(t.database)) await store.createDatabase(t.database);
    const settings: TableSettings = {
      memoryStoreRetentionHours:
        t.memoryStoreRetentionHours ?? DEFAULT_TABLE_SETTINGS.memoryStoreRetentionHours,
      magneticStoreRetentionDays:
        t.magneticStoreRetentionDays ?? DEFAULT_TABLE_SETTINGS.magneticStoreRetentionDays,
      magneticStoreWrites: t.magneticStoreWrites ?? DEFAULT_TABLE_SETTINGS.magneticStoreWrites,
    };
    return store.createTable(t.database, t.table, settings, now());
  };
  for (const table of options.tables ?? []) await createTable(table);

  let address = "";
  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    DescribeEndpoints: () =>
      Promise.resolve({ Endpoints: [{ Address: address, CachePeriodInMinutes: 1440 }] }),

    CreateDatabase: async (body) => {
      const name = requireName(body.DatabaseName, "DatabaseName");
      await store.createDatabase(name);
      return { Database: { DatabaseName: name, TableCount: 0 } };
    },

    CreateTable: async (body) => {
      const database = requireName(body.DatabaseName, "DatabaseName");
      const table = requireName(body.TableName, "TableName");
      const settings = await createTable({ database, table, ...wireSettings(body) });
      return { Table: describe(database, table, settings, now(), now()) };
    },

    DescribeTable: (body) => {
      const database = requireName(body.DatabaseName, "DatabaseName");
      const table = requireName(body.TableName, "TableName");
      const found = store.describeTable(database, table);
      return Promise.resolve({ Table: describe(database, table, found.settings, found.createdAtMs, now()) });
    },

    UpdateTable: (body) => {
      const database = requireName(body.DatabaseName, "DatabaseName");
      const table = requireName(body.TableName, "TableName");
      const settings = store.updateTable(database, table, wireSettings(body));
      const found = store.describeTable(database, table);
      return Promise.resolve({ Table: describe(database, table, settings, found.createdAtMs, now()) });
    },

    WriteRecords: async (body) => {
      const database = requireName(body.DatabaseName, "DatabaseName");
      const table = requireName(body.TableName, "TableName");
      const records = parseWriteRecords(body.CommonAttributes, body.Records);
      const outcome = await store.write(database, table, records, now());
      writeRequests.push({ database, table, records: records.length, rejected: outcome.rejected.length });
      if (outcome.rejected.length > 0) {
        throw new ServiceError(
          "RejectedRecordsException",
          419,
          "One or more records have been rejected. See RejectedRecords for details.",
          { RejectedRecords: outcome.rejected },
        );
      }
      return {
        RecordsIngested: {
          Total: outcome.memoryStore + outcome.magneticStore,
          MemoryStore: outcome.memoryStore,
          MagneticStore: outcome.magneticStore,
        },
      };
    },

    Query: async (body) => {
      const queryString = body.QueryString;
      if (typeof queryString !== "string" || queryString.trim() === "")
        throw validation("QueryString is required");
      if (typeof body.NextToken === "string") return pager.next(queryString, body.NextToken, body.MaxRows);
      return pager.first(queryString, await store.query(queryString, now()), body.MaxRows);
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.headers["x-amz-target"];
    const operation =
      typeof target === "string" && target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : "";
    callCounts.set(operation, (callCounts.get(operation) ?? 0) + 1);
    try {
      if (req.method !== "POST") throw new ServiceError("UnknownOperationException", 404, "POST only");
      const handler = operations[operation];
      if (handler === undefined) {
        throw new ServiceError("UnknownOperationException", 400, `Unknown operation ${String(target)}`);
      }
      if (!(req.headers["content-type"] ?? "").startsWith(CONTENT_TYPE)) {
        throw new ServiceError("SerializationException", 400, `Content-Type must be ${CONTENT_TYPE}`);
      }
      if (!/^AWS4-HMAC-SHA256 Credential=\S+/.test(req.headers.authorization ?? "")) {
        throw new ServiceError(
          "AccessDeniedException",
          403,
          "Missing or malformed SigV4 Authorization header",
        );
      }
      const fault = faults.get(operation)?.shift();
      if (fault === "reset") {
        req.socket.destroy();
        return;
      }
      if (fault !== undefined) throw faultError(fault);
      const body = await readJsonBody(req);
      sendJson(res, 200, await handler(body));
    } catch (err) {
      sendError(
        res,
        err instanceof ServiceError ? err : new ServiceError("InternalServerException", 500, String(err)),
      );
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  address = `127.0.0.1:${port}`;

  return {
    url: `http://${address}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTIMESTREAMTEST", secretAccessKey: "timestream-endpoint-test-secret" },
    writeRequests,
    createTable: async (t) => {
      await createTable(t);
    },
    updateTable: (database, table, settings) => {
      store.updateTable(database, table, settings);
    },
    failNext: (operation, fault, times = 1) => {
      const queue = faults.get(operation) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      faults.set(operation, queue);
    },
    calls: (operation) => callCounts.get(operation) ?? 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

function faultError(fault: Exclude<FaultKind, "reset">): ServiceError {
  switch (fault) {
    case "throttling":
      return throttling();
    case "internal":
      return internal();
    case "unavailable":
      return new ServiceError("ServiceUnavailableException", 503, "Service unavailable");
  }
}

function requireName(value: unknown, what: string): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_.-]{3,256}$/.test(value)) {
    throw validation(`${what} must be 3 to 256 characters of letters, digits, '_', '-' or '.'`);
  }
  return value;
}

function wireSettings(body: Record<string, unknown>): Partial<TableSettings> {
  const retention = (body.RetentionProperties ?? {}) as Record<string, unknown>;
  const magnetic = (body.MagneticStoreWriteProperties ?? {}) as Record<string, unknown>;
  const settings: Partial<TableSettings> = {};
  if (typeof retention.MemoryStoreRetentionPeriodInHours === "number") {
    settings.memoryStoreRetentionHours = retention.MemoryStoreRetentionPeriodInHours;
  }
  if (typeof retention.MagneticStoreRetentionPeriodInDays === "number") {
    settings.magneticStoreRetentionDays = retention.MagneticStoreRetentionPeriodInDays;
  }
  if (typeof magnetic.EnableMagneticStoreWrites === "boolean") {
    settings.magneticStoreWrites = magnetic.EnableMagneticStoreWrites;
  }
  return settings;
}

function describe(
  database: string,
  table: string,
  settings: TableSettings,
  createdMs: number,
  updatedMs: number,
) {
  return {
    Arn: `arn:aws:timestream:us-east-1:000000000000:database/${database}/table/${table}`,
    TableName: table,
    DatabaseName: database,
    TableStatus: "ACTIVE",
    RetentionProperties: {
      MemoryStoreRetentionPeriodInHours: settings.memoryStoreRetentionHours,
      MagneticStoreRetentionPeriodInDays: settings.magneticStoreRetentionDays,
    },
    MagneticStoreWriteProperties: { EnableMagneticStoreWrites: settings.magneticStoreWrites },
    CreationTime: createdMs / 1000,
    LastUpdatedTime: updatedMs / 1000,
  };
}
