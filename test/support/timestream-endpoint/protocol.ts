import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";

/** Timestream's awsJson1_0 service prefix, shared by the write and query APIs. */
export const TARGET_PREFIX = "Timestream_20181101.";
export const CONTENT_TYPE = "application/x-amz-json-1.0";
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** An error the endpoint answers with: HTTP status, error shape name, message and extra members. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const validation = (message: string) => new ServiceError("ValidationException", 400, message);
export const notFound = (message: string) => new ServiceError("ResourceNotFoundException", 404, message);
export const conflict = (message: string) => new ServiceError("ConflictException", 409, message);
export const throttling = () => new ServiceError("ThrottlingException", 429, "Rate exceeded");
export const internal = () =>
  new ServiceError("InternalServerException", 500, "Timestream was unable to fully process this request");

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw validation("Request body is too large");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ServiceError("SerializationException", 400, "Request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ServiceError("SerializationException", 400, "Request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    "content-type": CONTENT_TYPE,
    "content-length": payload.length,
    "x-amzn-requestid": randomUUID(),
  });
  res.end(payload);
}

/** Errors carry their shape name in both `__type` and `x-amzn-ErrorType`, as AWS JSON services do. */
export function sendError(res: ServerResponse, error: ServiceError): void {
  const payload = Buffer.from(
    JSON.stringify({ __type: error.type, Message: error.message, ...error.members }),
  );
  res.writeHead(error.status, {
    "content-type": CONTENT_TYPE,
    "content-length": payload.length,
    "x-amzn-requestid": randomUUID(),
    "x-amzn-errortype": error.type,
  });
  res.end(payload);
}
