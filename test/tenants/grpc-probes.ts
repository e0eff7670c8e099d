import { join } from "node:path";
import {
  credentials,
  loadPackageDefinition,
  makeClientConstructor,
  type Client,
  type ClientDuplexStream,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { service as healthService } from "grpc-health-check";
import { REPO_ROOT } from "../support/cli.js";

/** Minimal health and reflection clients, to check what a server advertises. */

interface HealthClient extends Client {
  check(
    request: { service: string },
    callback: (err: ServiceError | null, res?: { status: string }) => void,
  ): void;
}

export function healthClient(port: number): HealthClient {
  const Health = makeClientConstructor(healthService, "grpc.health.v1.Health");
  return new Health(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as HealthClient;
}

/** The serving status of `service`, or the error the check failed with. */
export function checkHealth(client: HealthClient, service: string): Promise<string | ServiceError> {
  return new Promise((resolve) => client.check({ service }, (err, res) => resolve(err ?? res?.status ?? "")));
}

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
}

interface ReflectionClient extends Client {
  ServerReflectionInfo(): ClientDuplexStream<Record<string, string>, ReflectionResponse>;
}

export function reflectionClient(port: number): ReflectionClient {
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
  return new loaded.grpc.reflection.v1.ServerReflection(`127.0.0.1:${port}`, credentials.createInsecure());
}

export function reflect(
  client: ReflectionClient,
  request: Record<string, string>,
): Promise<ReflectionResponse> {
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
