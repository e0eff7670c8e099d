#!/usr/bin/env node
// Container health check for the tenant-events gRPC servers (serve, tenants): asks grpc.health.v1 whether
// the server is SERVING. Health needs no token, so only the CA is needed to reach a TLS server.
//
//   node deploy/grpc-health.mjs HOST:PORT [CA.pem]     exit 0 when SERVING, 1 otherwise
//
// Without CA.pem it connects in plaintext (a server on loopback without TLS).
import { readFileSync } from "node:fs";
import { credentials, loadPackageDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath } from "grpc-health-check";

const DEADLINE_MS = 3000;

const [target, caPath] = process.argv.slice(2);
if (target === undefined) {
  console.error("usage: grpc-health.mjs HOST:PORT [CA.pem]");
  process.exit(2);
}

const { grpc } = loadPackageDefinition(loadSync(protoPath, { keepCase: true, enums: String }));
const channelCredentials =
  caPath === undefined ? credentials.createInsecure() : credentials.createSsl(readFileSync(caPath));
const client = new grpc.health.v1.Health(target, channelCredentials);

client.check({ service: "" }, { deadline: Date.now() + DEADLINE_MS }, (err, response) => {
  client.close();
  if (err) {
    console.error(`${target}: ${err.message}`);
    process.exit(1);
  }
  console.log(`${target}: ${response.status}`);
  process.exit(response.status === "SERVING" ? 0 : 1);
});
