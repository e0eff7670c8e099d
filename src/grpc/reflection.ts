import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "@grpc/grpc-js";
import { loadSync, type PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { protoPath as healthProtoPath } from "grpc-health-check";

/**
 * The package's `proto/` directory. This file sits two levels below the package root both as source
 * (src/grpc/, run by tsx) and compiled (dist/grpc/), and `proto/` ships with the package.
 */
export const PROTO_DIR = fileURLToPath(new URL("../../proto/", import.meta.url));

const HEALTH_PROTO = "health/v1/health.proto";
const HEALTH_PROTO_DIR = resolve(dirname(healthProtoPath), "../..");

/**
 * Loads proto files (paths relative to `proto/`, e.g. "auth/auth.proto") plus grpc.health.v1, whose
 * descriptors reflection serves, so `grpcurl` can describe and call every service without local protos.
 */
export function loadProtoDefinition(files: readonly string[]): PackageDefinition {
  return loadSync([...files, HEALTH_PROTO], { includeDirs: [PROTO_DIR, HEALTH_PROTO_DIR], keepCase: true });
}

/** Adds server reflection (v1 and v1alpha) describing the services in `files` and health checking. */
export function addReflection(server: Pick<Server, "addService">, files: readonly string[]): void {
  new ReflectionService(loadProtoDefinition(files)).addToServer(server);
}
