import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseEvent } from "../../src/events/codec.js";
import { REPO_ROOT } from "../support/cli.js";
import { EVENT_TYPES, ONEOF_VARIANTS } from "../../src/gen/events/teleport-schema.js";
import { startEventsServer } from "../../src/server/events-server.js";
import { MemoryAuditLog } from "../fakes/memory-audit-log.js";

/**
 * The stream as a Teleport integrator decodes it: Debian's protoc compiles the messages with Teleport's
 * layout (the project's proto without its extras field, as Teleport's own events.proto has them) for
 * Debian's python3-protobuf, and Debian's python3-grpcio calls Teleport's method name,
 * `/proto.AuthService/StreamEvents`. Every event must decode into the variant Teleport's server would
 * use, with its metadata and user where the JSON has them; the extras field is skipped as unknown.
 */
const DEBIAN_PYTHON = "/usr/bin/python3";
const PROTOC = "/usr/bin/protoc";
const run = promisify(execFile);

const FIXTURES = fileURLToPath(new URL("../fixtures/teleport-events.jsonl", import.meta.url));
const UNMAPPED = '{"ei":3,"event":"plugin.sync","uid":"p-1","code":"TPL00I","user":"alice","extra":[1]}';
const REAL_UNKNOWN =
  '{"event":"unknown","uid":"u-9","code":"TCC00E","unknown_event":"x.y","unknown_code":"TX1I","data":"{}"}';
const lines = [
  ...readFileSync(FIXTURES, "utf8")
    .split("\n")
    .filter((line) => line !== ""),
  UNMAPPED,
  REAL_UNKNOWN,
];

const work = mkdtempSync(join(tmpdir(), "teleport-decoder-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SCRIPT = `
import json, sys, grpc
from google.protobuf import unknown_fields
sys.path.insert(0, sys.argv[2])
from auth import auth_pb2
from events import events_pb2

with grpc.insecure_channel("127.0.0.1:" + sys.argv[1]) as channel:
    call = channel.unary_stream(
        "/proto.AuthService/StreamEvents",
        request_serializer=auth_pb2.StreamEventsRequest.SerializeToString,
        response_deserializer=auth_pb2.StreamEvent.FromString,
    )
    for response in call(auth_pb2.StreamEventsRequest(until_caught_up=True), timeout=60):
        fields = response.event.ListFields()
        (descriptor, event), = fields
        md = event.metadata
        out = {
            "number": descriptor.number,
            "type": md.type, "code": md.code, "uid": md.id, "ei": str(md.index),
            "cluster": md.cluster_name, "time": md.time.ToJsonString() if md.HasField("time") else None,
            "user": event.user.user if "user" in event.DESCRIPTOR.fields_by_name
                and event.DESCRIPTOR.fields_by_name["user"].message_type is not None
                and event.DESCRIPTOR.fields_by_name["user"].message_type.name == "UserMetadata" else None,
            "unknown": [event.unknown_type, event.unknown_code, event.data] if descriptor.name == "unknown" else None,
            "skipped": [f.field_number for f in unknown_fields.UnknownFieldSet(event)],
        }
        print(json.dumps(out))
`;

/** proto/ as Teleport's layout: the project's extras field (its only addition) taken out. */
function teleportLayout(): string {
  const dir = join(work, "proto");
  cpSync(join(REPO_ROOT, "proto"), dir, { recursive: true });
  const events = join(dir, "events/events.proto");
  const text = readFileSync(events, "utf8");
  writeFileSync(
    events,
    text
      .split("\n")
      .filter((line) => !/ = 2047;/.test(line))
      .join("\n"),
  );
  expect(readFileSync(events, "utf8")).not.toMatch(/^\s*ExtraFields extra = 2047;/m);
  return dir;
}

describe("a decoder compiled by protoc from Teleport's layout", () => {
  it("decodes every streamed event as Teleport's server would send it", async () => {
    const protoDir = teleportLayout();
    const out = join(work, "python");
    cpSync(protoDir, out, { recursive: true });
    await run(PROTOC, [
      `-I${protoDir}`,
      "-I/usr/include",
      `--python_out=${out}`,
      "events/events.proto",
      "auth/auth.proto",
      "wrappers/wrappers.proto",
      "teleport/accesslist/v1/accesslist.proto",
    ]);

    const log = new MemoryAuditLog();
    for (const line of lines) log.append("shard-0", parseEvent(line));
    const server = await startEventsServer(log, { listen: "127.0.0.1:0" });
    let stdout: string;
    try {
      ({ stdout } = await run(DEBIAN_PYTHON, ["-c", SCRIPT, String(server.port), out]));
    } finally {
      await server.shutdown(1000);
    }
    const decoded = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(decoded).toHaveLength(lines.length);

    const messageOf = new Map(EVENT_TYPES);
    const numberOf = new Map(ONEOF_VARIANTS.map((v) => [v.message as string, v.number as number]));
    lines.forEach((line, i) => {
      const source = JSON.parse(line) as Record<string, unknown>;
      const got = decoded[i] as Record<string, unknown>;
      const type = source["event"] as string;
      const message = messageOf.get(type);
      if (message === undefined) {
        // Teleport's Unknown (variant 80), exactly as its server builds it.
        expect(got).toMatchObject({ number: 80, type: "unknown", code: "TCC00E", uid: source["uid"] });
        expect(got["unknown"]).toEqual([type, source["code"], line]);
        return;
      }
      expect([type, got["number"]]).toEqual([type, numberOf.get(message)]);
      expect(got["type"]).toBe(type);
      expect(got["code"]).toBe(source["code"] ?? "");
      expect(got["uid"]).toBe(source["uid"] ?? "");
      expect(got["ei"]).toBe(String((source["ei"] as number | undefined) ?? 0));
      expect(got["cluster"]).toBe(source["cluster_name"] ?? "");
      if (typeof source["time"] === "string") {
        expect(new Date(got["time"] as string).toISOString()).toBe(new Date(source["time"]).toISOString());
      }
      if (got["user"] !== null) expect(got["user"]).toBe(source["user"] ?? "");
    });
    // The real unknown event is Teleport's own Unknown, as it was written, with nothing left over;
    // the project's Unknown carries its mark in the extras field, which Teleport's decoder skips.
    expect(decoded.at(-1)).toMatchObject({ unknown: ["x.y", "TX1I", "{}"], skipped: [] });
    expect(decoded.at(-2)?.["skipped"]).toEqual([2047]);
    // Session starts carry a user for Teleport's decoder too.
    expect(
      decoded
        .filter((d) => d["number"] === 5)
        .every((d) => typeof d["user"] === "string" && d["user"] !== ""),
    ).toBe(true);
  });
});
