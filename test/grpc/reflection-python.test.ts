import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCursor } from "../../src/cursor/cursor.js";
import { startEventsServer, type EventsServer } from "../../src/server/events-server.js";
import { startTenantsServer, type TenantsServer } from "../../src/tenants/tenants-server.js";
import { hashToken, TenantTokens } from "../../src/tenants/tenant-tokens.js";
import { MemoryAuditLog } from "../fakes/memory-audit-log.js";
import { REPO_ROOT } from "../support/cli.js";
import { FakeSink } from "../tenants/fake-sink.js";

/**
 * Reflection tried with a client nobody here wrote: Debian's python3-grpcio and protobuf, with stubs for
 * the reflection service only, compiled by Debian's protoc. Everything else the client learns from the
 * server, as grpcurl does.
 */

const exec = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const CLIENT_DIR = join(import.meta.dirname, "python");

let stubs: string;
let events: EventsServer;
let tenants: TenantsServer;

interface Reflected {
  services: string[];
  files: string[];
  methods: string[];
  messages: string[];
  streamed: number;
  last_cursor: string;
}

async function reflect(port: number, token: string): Promise<Reflected> {
  const { stdout } = await exec(PYTHON, [join(CLIENT_DIR, "reflection_client.py"), String(port), token], {
    env: { ...process.env, PYTHONPATH: stubs },
  });
  return JSON.parse(stdout) as Reflected;
}

beforeAll(async () => {
  stubs = await mkdtemp(join(tmpdir(), "tenant-events-reflection-"));
  await exec("protoc", [
    `-I${join(REPO_ROOT, "proto/grpc/reflection/v1")}`,
    `--python_out=${stubs}`,
    `--grpc_python_out=${stubs}`,
    "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
    "reflection.proto",
  ]);
  const log = new MemoryAuditLog(["shard-a", "shard-b"]);
  for (let i = 0; i < 7; i++) log.appendEvents(1, i % 2 === 0 ? "shard-a" : "shard-b");
  events = await startEventsServer(log, { listen: "127.0.0.1:0", token: "events-token" });
  tenants = await startTenantsServer(new FakeSink(), {
    listen: "127.0.0.1:0",
    tokens: new TenantTokens([{ id: "acme", tokenSha256: hashToken("tenant-token") }]),
  });
}, 60_000);

afterAll(async () => {
  await events.shutdown(1000);
  await tenants.shutdown(1000);
  await rm(stubs, { recursive: true, force: true });
});

describe("server reflection with an independent client", () => {
  it("lists every service of the events server, reflection itself included", async () => {
    const reflected = await reflect(events.port, "events-token");
    expect(reflected.services).toEqual([
      "auth.AuthService",
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "proto.AuthService",
    ]);
  });

  it("describes files under their real names with dependencies a descriptor pool can link", async () => {
    const reflected = await reflect(events.port, "events-token");
    expect(reflected.files).toEqual(
      expect.arrayContaining([
        "auth/auth.proto",
        "events/events.proto",
        "google/protobuf/timestamp.proto",
        "grpc/health/v1/health.proto",
        "grpc/reflection/v1/reflection.proto",
      ]),
    );
    expect(reflected.methods).toContain("auth.AuthService.StreamEvents");
    expect(reflected.methods).toContain("proto.AuthService.StreamEvents");
    expect(reflected.methods).toContain("grpc.health.v1.Health.Check");
    expect(reflected.messages).toEqual(
      expect.arrayContaining(["auth.StreamEventsRequest", "auth.StreamEvent", "events.OneOf"]),
    );
  });

  it("makes a call with messages built from reflection alone", async () => {
    const reflected = await reflect(events.port, "events-token");
    expect(reflected.streamed).toBe(7);
    expect([...decodeCursor(reflected.last_cursor).keys()].sort()).toEqual(["shard-a", "shard-b"]);
  });

  it("describes the tenants service the same way", async () => {
    const reflected = await reflect(tenants.port, "unused");
    expect(reflected.services).toContain("tenants.TenantsService");
    expect(reflected.files).toContain("tenants/tenants.proto");
    expect(reflected.methods).toEqual(
      expect.arrayContaining([
        "tenants.TenantsService.SubmitEvents",
        "tenants.TenantsService.SubmitUsageReports",
      ]),
    );
  });
});
