import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { decodeCursor } from "../../src/cursor/cursor.js";
import { StreamEvent } from "../../src/gen/auth/auth.js";
import { startEventsServer, type EventsServer } from "../../src/server/events-server.js";
import { MemoryAuditLog, memoryEventUid } from "../fakes/memory-audit-log.js";

/**
 * Interop with another gRPC implementation: Debian's python3-grpcio (gRPC core), installed for the
 * system interpreter (CI installs it). The Python side knows nothing of our protos: it sends
 * hand-encoded request bytes and reports what came back.
 */
const DEBIAN_PYTHON = "/usr/bin/python3";

const SCRIPT = `
import sys, grpc
port, token, request_hex = sys.argv[1], sys.argv[2], sys.argv[3]
with grpc.insecure_channel("127.0.0.1:" + port) as channel:
    # No serializers: requests and responses are raw protobuf bytes.
    call = channel.unary_stream("/auth.AuthService/StreamEvents")
    metadata = (("authorization", "Bearer " + token),) if token else ()
    count, last = 0, b""
    try:
        for response in call(bytes.fromhex(request_hex), metadata=metadata, timeout=60):
            count, last = count + 1, response
        print("OK", count, last.hex())
    except grpc.RpcError as err:
        print(err.code().name, count, err.details())
`;

const run = promisify(execFile);

async function python(port: number, token: string, request: Buffer): Promise<string[]> {
  const { stdout } = await run(DEBIAN_PYTHON, ["-c", SCRIPT, String(port), token, request.toString("hex")]);
  return stdout.trim().split(" ");
}

/** StreamEventsRequest by hand: field 1 (cursor, length-delimited), field 2 (until_caught_up, varint). */
function request(cursor: string, untilCaughtUp: boolean): Buffer {
  const text = Buffer.from(cursor, "utf8");
  const parts: Buffer[] = [];
  if (text.length > 0) {
    if (text.length > 127) throw new Error("the hand encoder only writes one-byte lengths");
    parts.push(Buffer.from([0x0a, text.length]), text);
  }
  if (untilCaughtUp) parts.push(Buffer.from([0x10, 0x01]));
  return Buffer.concat(parts);
}

let server: EventsServer | undefined;
afterEach(async () => {
  await server?.shutdown(1000);
  server = undefined;
});

describe("interop with Python gRPC (gRPC core)", () => {
  it("streams every event to a raw unary_stream call and ends OK once caught up", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(123);
    server = await startEventsServer(log, { listen: "127.0.0.1:0", token: "py-token" });

    const [outcome, count, lastHex] = await python(server.port, "py-token", request("", true));

    expect(outcome).toBe("OK");
    expect(Number(count)).toBe(123);
    const last = StreamEvent.decode(Buffer.from(lastHex ?? "", "hex"));
    expect(memoryEventUid(last)).toBe("uid-122");
    expect(decodeCursor(last.cursor).get("shard-0")).toBe("49000000000000000123");
  });

  it("resumes from a cursor the Python client sends", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(10);
    server = await startEventsServer(log, { listen: "127.0.0.1:0" });
    const cursor = '{"shard_id_to_sequence_number":{"shard-0":"49000000000000000007"}}';

    const [outcome, count] = await python(server.port, "", request(cursor, true));

    expect([outcome, count]).toEqual(["OK", "3"]);
  });

  it("returns the status codes gRPC core understands", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(1);
    server = await startEventsServer(log, { listen: "127.0.0.1:0", token: "py-token" });

    const badCursor = await python(server.port, "py-token", request("{not json", true));
    const noToken = await python(server.port, "", request("", true));

    expect(badCursor.slice(0, 2)).toEqual(["INVALID_ARGUMENT", "0"]);
    expect(badCursor.slice(2).join(" ")).toContain("cursor is not JSON");
    expect(noToken[0]).toBe("UNAUTHENTICATED");
  });
});
