import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  credentials,
  loadPackageDefinition,
  makeClientConstructor,
  status as Status,
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { service as healthService } from "grpc-health-check";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { createEventsClient } from "../../src/client/events-client.js";
import { InvalidArgumentError, UnavailableError } from "../../src/errors/errors.js";
import { AuthServiceService } from "../../src/gen/auth/auth.js";
import { GrpcServer } from "../../src/grpc/grpc-server.js";
import { createAuthService } from "../../src/server/auth-service.js";
import { startEventsServer } from "../../src/server/events-server.js";
import { MemoryAuditLog, memoryEventUid } from "../fakes/memory-audit-log.js";
import { take } from "./loopback.js";
import { eventually } from "../support/eventually.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const fixture = (name: string) => join(FIXTURES, name);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A GrpcServer hosting AuthService over a memory log, as the events server does. */
async function startServer(log = new MemoryAuditLog()): Promise<GrpcServer> {
  const server = new GrpcServer({
    listen: "127.0.0.1:0",
    authenticated: false,
  });
  server.addService(AuthServiceService, createAuthService(log, { shutdownSignal: server.shutdownSignal }));
  await server.start();
  cleanups.push(() => server.shutdown(1000));
  return server;
}

interface HealthClient extends Client {
  check(
    request: { service: string },
    callback: (err: ServiceError | null, res?: { status: string }) => void,
  ): void;
  watch(request: { service: string }): ClientReadableStream<{ status: string }>;
}

function healthClient(port: number): HealthClient {
  const Health = makeClientConstructor(healthService, "grpc.health.v1.Health");
  const client = new Health(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as HealthClient;
  cleanups.push(() => client.close());
  return client;
}

function check(client: HealthClient, service: string): Promise<string | ServiceError> {
  return new Promise((resolve) => client.check({ service }, (err, res) => resolve(err ?? res?.status ?? "")));
}

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

interface ReflectionClient extends Client {
  ServerReflectionInfo(): ClientDuplexStream<Record<string, string>, ReflectionResponse>;
}

/** A reflection client built from the reflection proto the repository vendors. */
function reflectionClient(port: number): ReflectionClient {
  const definition = loadSync("grpc/reflection/v1/reflection.proto", {
    includeDirs: [join(REPO_ROOT, "proto")],
    keepCase: true,
    oneofs: true,
  });
  const loaded = loadPackageDefinition(definition) as unknown as {
    grpc: {
      reflection: { v1: { ServerReflection: new (address: string, creds: unknown) => ReflectionClient } };
    };
  };
  const client = new loaded.grpc.reflection.v1.ServerReflection(
    `127.0.0.1:${port}`,
    credentials.createInsecure(),
  );
  cleanups.push(() => client.close());
  return client;
}

function reflect(client: ReflectionClient, request: Record<string, string>): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on("data", (response: ReflectionResponse) => {
      resolve(response);
      call.end();
    });
    call.on("error", reject);
    call.write(request);
  });
}

describe("GrpcServer", () => {
  it("reports health SERVING per service and overall", async () => {
    const server = await startServer();
    const health = healthClient(server.port);

    expect(await check(health, "")).toBe("SERVING");
    expect(await check(health, "auth.AuthService")).toBe("SERVING");
    expect(((await check(health, "no.Such")) as ServiceError).code).toBe(Status.NOT_FOUND);

    server.setServing("auth.AuthService", false);
    expect(await check(health, "auth.AuthService")).toBe("NOT_SERVING");
  });

  it("tells health watchers NOT_SERVING when it shuts down, then ends their stream with UNAVAILABLE", async () => {
    const server = await startServer();
    const watch = healthClient(server.port).watch({ service: "auth.AuthService" });
    const statuses: string[] = [];
    const ended = new Promise<ServiceError>((resolve) => watch.on("error", resolve));
    watch.on("data", (response: { status: string }) => statuses.push(response.status));
    await eventually(() => statuses.length === 1, "the first health update");

    await server.shutdown(5_000);

    expect(statuses).toEqual(["SERVING", "NOT_SERVING"]);
    expect((await ended).code).toBe(Status.UNAVAILABLE);
  });

  it("lists auth.AuthService and health through reflection, and describes the service", async () => {
    const server = await startServer();
    const reflection = reflectionClient(server.port);

    const listed = await reflect(reflection, { list_services: "*" });
    const described = await reflect(reflection, { file_containing_symbol: "auth.AuthService" });

    const names = listed.list_services_response?.service.map((s) => s.name);
    expect(names).toContain("auth.AuthService");
    expect(names).toContain("grpc.health.v1.Health");
    const files =
      described.file_descriptor_response?.file_descriptor_proto.map((b) => b.toString("latin1")) ?? [];
    expect(files.some((file) => file.includes("StreamEvents"))).toBe(true);
  });

  it("the events server lists AuthService under both its names through reflection", async () => {
    const server = await startEventsServer(new MemoryAuditLog(), { listen: "127.0.0.1:0" });
    cleanups.push(() => server.shutdown(1000));
    const reflection = reflectionClient(server.port);

    const listed = await reflect(reflection, { list_services: "*" });
    const described = await reflect(reflection, { file_containing_symbol: "proto.AuthService" });

    const names = listed.list_services_response?.service.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["auth.AuthService", "proto.AuthService"]));
    const files =
      described.file_descriptor_response?.file_descriptor_proto.map((b) => b.toString("latin1")) ?? [];
    // The file of proto.AuthService, and the events it streams, Teleport's OneOf.
    expect(files.some((file) => file.includes("StreamEvents") && file.includes("AuthService"))).toBe(true);
    expect(files.some((file) => file.includes("OneOf") && file.includes("user_login"))).toBe(true);
  });

  it("refuses to listen beyond loopback without TLS and authentication, before binding", async () => {
    const log = new MemoryAuditLog();
    await expect(startEventsServer(log, { listen: "0.0.0.0:0" })).rejects.toThrow(InvalidArgumentError);
    await expect(startEventsServer(log, { listen: "[::]:0", token: "t" })).rejects.toThrow(
      "refusing to listen on [::]:0 without TLS",
    );
    await expect(
      startEventsServer(log, {
        listen: "0.0.0.0:0",
        tls: { certPath: fixture("server.pem"), keyPath: fixture("server.key") },
      }),
    ).rejects.toThrow("without authentication");
  });

  it("refuses an address it cannot parse and TLS files it cannot read", async () => {
    const log = new MemoryAuditLog();
    await expect(startEventsServer(log, { listen: "localhost" })).rejects.toThrow("is not HOST:PORT");
    await expect(
      startEventsServer(log, {
        listen: "127.0.0.1:0",
        tls: { certPath: fixture("missing.pem"), keyPath: fixture("server.key") },
      }),
    ).rejects.toThrow(/cannot read the TLS certificate file .*ENOENT/);
  });

  it("serves over TLS with a token, and with client certificates", async () => {
    const log = new MemoryAuditLog();
    log.appendEvents(3);
    const tls = { certPath: fixture("server.pem"), keyPath: fixture("server.key") };
    const withToken = await startEventsServer(log, { listen: "127.0.0.1:0", tls, token: "tls-token" });
    cleanups.push(() => withToken.shutdown(1000));
    const mutual = await startEventsServer(log, {
      listen: "127.0.0.1:0",
      tls: { ...tls, clientCaPath: fixture("ca.pem") },
    });
    cleanups.push(() => mutual.shutdown(1000));

    const tokenClient = await createEventsClient(`localhost:${withToken.port}`, {
      tls: { caPath: fixture("ca.pem") },
      token: "tls-token",
    });
    cleanups.push(() => tokenClient.close());
    const certClient = await createEventsClient(`localhost:${mutual.port}`, {
      tls: { caPath: fixture("ca.pem"), certPath: fixture("client.pem"), keyPath: fixture("client.key") },
    });
    cleanups.push(() => certClient.close());
    const plainClient = await createEventsClient(`127.0.0.1:${withToken.port}`, {
      token: "tls-token",
      backoff: { maxAttempts: 1 },
    });
    cleanups.push(() => plainClient.close());

    const viaToken = await take(tokenClient.streamEvents("", { untilCaughtUp: true }));
    const viaCert = await take(certClient.streamEvents("", { untilCaughtUp: true }));

    expect(viaToken.map(memoryEventUid)).toEqual(["uid-0", "uid-1", "uid-2"]);
    expect(viaCert.map(memoryEventUid)).toEqual(["uid-0", "uid-1", "uid-2"]);
    const noCertClient = await createEventsClient(`localhost:${mutual.port}`, {
      tls: { caPath: fixture("ca.pem") },
      backoff: { maxAttempts: 1 },
    });
    cleanups.push(() => noCertClient.close());
    await expect(take(plainClient.streamEvents("", { untilCaughtUp: true }))).rejects.toThrow(
      UnavailableError,
    );
    await expect(take(noCertClient.streamEvents("", { untilCaughtUp: true }))).rejects.toThrow(
      UnavailableError,
    );
  });
});
