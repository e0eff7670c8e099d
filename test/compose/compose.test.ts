import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, REPO_ROOT, type CliResult } from "../support/cli.js";
import { startDynamoDbLocal, type DynamoDbLocal } from "../support/dynamodb-local.js";
import { freePort, startCli, type RunningCli } from "../support/processes.js";
import { commandOptions, parseCommandLine, type HelpOption, type UsedFlag } from "./cli-help.js";
import { readComposeFile, type ComposeService } from "./compose-file.js";
import { copyParts, readDockerfile, readDockerignore } from "./dockerfile.js";

/**
 * There is no Docker engine where the tests run, so docker-compose.yml is checked against the real CLI
 * (commands, flags, variables), against deploy/ (secrets, certificates) and by running each service's
 * command outside Docker: compose's host names and ports become loopback ports, secrets their files,
 * volumes temporary directories, and DynamoDB Local runs from its npm package.
 */

const compose = readComposeFile(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8"));
const IMAGE = "tenant-events:local";
const productServices = [...compose.services.values()].filter((s) => s.image === IMAGE);
const CERTS_PREFIX = "./deploy/certs/";
const SECRETS_DIR = "/run/secrets/";
const HEALTH_SCRIPT = "deploy/grpc-health.mjs";

function service(name: string): ComposeService {
  const found = compose.services.get(name);
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function run(command: string, args: readonly string[], cwd = REPO_ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Each product service's command with its flags checked against that command's `--help`. */
const helps = new Map<string, Map<string, HelpOption>>();
function flagsOf(s: ComposeService): UsedFlag[] {
  const [command, ...args] = s.command;
  const options = helps.get(command ?? "");
  if (options === undefined) throw new Error(`${s.name}: no help for command "${command}"`);
  return parseCommandLine(args, options);
}
function flagValue(s: ComposeService, flag: string): string | undefined {
  return flagsOf(s).find((f) => f.flag === flag)?.value;
}

let certsDir: string;
let scratch: string;

beforeAll(async () => {
  const commands = new Set(productServices.map((s) => s.command[0] ?? "(none)"));
  await Promise.all([...commands].map(async (c) => helps.set(c, await commandOptions(c))));
  scratch = await mkdtemp(join(tmpdir(), "tenant-events-compose-"));
  certsDir = join(scratch, "certs");
  const made = await run("sh", [join(REPO_ROOT, "deploy/make-dev-certs.sh"), certsDir]);
  expect(made.code, made.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("docker-compose.yml against the CLI", () => {
  it("runs the product image for every tenant-events command, each with its own command", () => {
    expect(productServices.map((s) => s.command[0]).sort()).toEqual(
      ["ingest", "mau", "report", "serve", "tenants"].sort(),
    );
    for (const s of productServices) expect(s.entrypoint === undefined || s.name === "ingest").toBe(true);
  });

  it("uses only options the commands have, with a value exactly where one is taken", () => {
    for (const s of productServices) {
      expect(() => flagsOf(s), s.name).not.toThrow();
    }
  });

  it("sets only TENANT_EVENTS_* variables an option of the service's command reads", () => {
    for (const s of productServices) {
      const options = [...helps.get(s.command[0]!)!.values()];
      const known = new Set(options.flatMap((o) => [o.env, o.secretEnv]).filter((e) => e !== undefined));
      const used = Object.keys(s.environment).filter((k) => k.startsWith("TENANT_EVENTS_"));
      expect(
        used.filter((k) => !known.has(k)),
        s.name,
      ).toEqual([]);
    }
  });

  it("pipes the bind-mounted sample audit log into ingest through the image's binary", () => {
    const ingest = service("ingest");
    const samples = ingest.volumes.find((v) => v.source === "./examples/audit-log");
    expect(samples?.readOnly).toBe(true);
    expect(ingest.entrypoint).toEqual([
      "sh",
      "-c",
      `cat ${samples!.target}/*.log | node bin/tenant-events.js "$@"`,
      "tenant-events",
    ]);
    expect(ingest.restart).toBe("no");
  });
});

describe("docker-compose.yml secrets, volumes and start-up order", () => {
  it("mounts every secret a service reads, and reads no secret it does not mount", () => {
    for (const s of compose.services.values()) {
      const text = [...s.command, ...Object.values(s.environment), ...(s.healthcheck ?? [])].join(" ");
      const read = new Set([...text.matchAll(/\/run\/secrets\/([a-z0-9-]+)/g)].map((m) => m[1]!));
      expect([...read].sort(), s.name).toEqual([...new Set(s.secrets)].sort());
      for (const name of s.secrets) expect(compose.secrets.has(name), name).toBe(true);
    }
  });

  it("backs every secret by a file in deploy/ or one the certificate script makes", async () => {
    const made = new Set(await readdir(certsDir));
    for (const [name, file] of compose.secrets) {
      if (file.startsWith(CERTS_PREFIX)) {
        expect(made.has(file.slice(CERTS_PREFIX.length)), `${name}: ${file}`).toBe(true);
      } else {
        expect(file, name).toMatch(/^\.\/deploy\//);
        expect(existsSync(join(REPO_ROOT, file)), `${name}: ${file}`).toBe(true);
      }
    }
  });

  it("keeps files a command writes or reads on a volume the service mounts", () => {
    for (const s of productServices) {
      for (const { flag, value } of flagsOf(s)) {
        const path = /^(?:duckdb:)?(\/.*)$/.exec(value ?? "")?.[1];
        if (path === undefined || path.startsWith(SECRETS_DIR)) continue;
        const volume = s.volumes.find((v) => path.startsWith(`${v.target}/`));
        expect(volume, `${s.name} ${flag} ${path}`).toBeDefined();
        expect(volume!.source.startsWith("./") || compose.volumes.has(volume!.source)).toBe(true);
      }
    }
  });

  it("starts services only after what they need, with conditions compose knows", () => {
    for (const s of compose.services.values()) {
      for (const [target, condition] of Object.entries(s.dependsOn)) {
        const needed = service(target);
        expect(["service_started", "service_healthy", "service_completed_successfully"]).toContain(condition);
        if (condition === "service_healthy") expect(needed.healthcheck, target).toBeDefined();
        if (condition === "service_completed_successfully") expect(needed.restart, target).toBe("no");
      }
    }
    expect(service("ingest").dependsOn).toEqual({ dynamodb: "service_healthy" });
    expect(service("events").dependsOn).toEqual({ ingest: "service_completed_successfully" });
    expect(service("reporter").dependsOn).toEqual({ events: "service_healthy", tenants: "service_healthy" });
  });
});

describe("docker-compose.yml security", () => {
  const servers = () => productServices.filter((s) => ["serve", "tenants"].includes(s.command[0]!));

  it("serves gRPC beyond loopback only with TLS and authentication", () => {
    for (const s of servers()) {
      expect(flagValue(s, "--listen"), s.name).toMatch(/^0\.0\.0\.0:\d+$/);
      expect(flagValue(s, "--tls-cert"), s.name).toMatch(/^\/run\/secrets\//);
      expect(flagValue(s, "--tls-key"), s.name).toMatch(/^\/run\/secrets\//);
      const auth = s.command[0] === "serve" ? "--token-file" : "--tenant-tokens";
      expect(flagValue(s, auth), s.name).toMatch(/^\/run\/secrets\//);
    }
  });

  it("has the reporter verify both servers with the CA and present a token to each", () => {
    const reporter = service("reporter");
    const ca = flagValue(reporter, "--server-tls-ca");
    expect(ca).toBe(`${SECRETS_DIR}ca`);
    expect(flagValue(reporter, "--tenants-tls-ca")).toBe(ca);
    expect(flagValue(reporter, "--server-token-file")).toBe(flagValue(service("events"), "--token-file"));
    expect(flagValue(reporter, "--tenant-token-file")).toMatch(/^\/run\/secrets\//);
    expect(flagValue(reporter, "--anonymization-key-file")).toMatch(/^\/run\/secrets\//);
  });

  it("publishes on the host's loopback only, and only ports the service listens on", () => {
    for (const s of compose.services.values()) {
      const listened = new Set(
        s.image === IMAGE
          ? flagsOf(s).flatMap(({ value }) => /^0\.0\.0\.0:(\d+)$/.exec(value ?? "")?.[1] ?? [])
          : [],
      );
      for (const port of s.ports) {
        const match = /^127\.0\.0\.1:\d+:(\d+)$/.exec(port);
        expect(match, `${s.name}: ${port}`).not.toBeNull();
        expect(listened.has(match![1]!), `${s.name}: ${port}`).toBe(true);
      }
    }
  });

  it("checks each server's health through its own port and the CA", () => {
    for (const s of servers()) {
      const port = /:(\d+)$/.exec(flagValue(s, "--listen")!)![1];
      expect(s.healthcheck, s.name).toEqual([
        "CMD",
        "node",
        HEALTH_SCRIPT,
        `localhost:${port}`,
        `${SECRETS_DIR}ca`,
      ]);
    }
  });
});

describe("deploy/", () => {
  it("holds obviously example secrets, and the tokens file lists the example tenant token's digest", async () => {
    for (const file of ["events-token", "tenant-token", "anonymization-key"]) {
      expect(await readFile(join(REPO_ROOT, "deploy/secrets", file), "utf8"), file).toMatch(
        /^example-.*REPLACE-ME/,
      );
    }
    const hashed = await runCli([
      "hash-token",
      "--token-file",
      join(REPO_ROOT, "deploy/secrets/tenant-token"),
    ]);
    expect(hashed.code, hashed.stderr).toBe(0);
    const tokens = JSON.parse(await readFile(join(REPO_ROOT, "deploy/tenant-tokens.json"), "utf8")) as {
      tenants: { id: string; token_sha256: string }[];
    };
    expect(tokens.tenants).toEqual([{ id: "example", token_sha256: hashed.stdout.trim() }]);
    expect(hashed.stdout.trim()).toBe(
      createHash("sha256").update("example-tenant-token-REPLACE-ME").digest("hex"),
    );
  });

  it("makes server certificates that openssl verifies for the service name and localhost, and no CA key", async () => {
    expect((await readdir(certsDir)).sort()).toEqual(
      ["ca.pem", "events-key.pem", "events.pem", "tenants-key.pem", "tenants.pem"].sort(),
    );
    for (const name of ["events", "tenants"]) {
      for (const host of [name, "localhost"]) {
        const verified = await run("openssl", [
          "verify",
          "-CAfile",
          join(certsDir, "ca.pem"),
          "-purpose",
          "sslserver",
          "-verify_hostname",
          host,
          join(certsDir, `${name}.pem`),
        ]);
        expect(verified.code, `${name} as ${host}: ${verified.stdout}${verified.stderr}`).toBe(0);
      }
      const certKey = await run("openssl", [
        "x509",
        "-in",
        join(certsDir, `${name}.pem`),
        "-noout",
        "-pubkey",
      ]);
      const key = await run("openssl", ["pkey", "-in", join(certsDir, `${name}-key.pem`), "-pubout"]);
      expect(certKey.stdout).toMatch(/BEGIN PUBLIC KEY/);
      expect(key.stdout, `${name}: the key matches its certificate`).toBe(certKey.stdout);
    }
    const wrongName = await run("openssl", [
      "verify",
      "-CAfile",
      join(certsDir, "ca.pem"),
      "-verify_hostname",
      "tenants",
      join(certsDir, "events.pem"),
    ]);
    expect(wrongName.code).not.toBe(0);
  });
});

describe("Dockerfile", () => {
  const stages = readDockerfile();
  const runtime = stages.at(-1)!;
  const ignored = readDockerignore();

  it("builds on the current Node LTS (26, trixie-slim) and runs the binary as a non-root user", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]!.args).toMatch(/^node:26-trixie-slim(?: AS \w+)?$/);
    const user = runtime.filter((i) => i.keyword === "USER").at(-1);
    expect(user).toBeDefined();
    expect(user!.args).not.toMatch(/^(?:root|0)(?::|$)/);
    const entrypoints = runtime
      .filter((i) => i.keyword === "ENTRYPOINT")
      .map((i) => JSON.parse(i.args) as unknown);
    expect(entrypoints).toEqual([["node", "bin/tenant-events.js"]]);
  });

  it("copies from the build context only files that exist and .dockerignore lets through", () => {
    const sources = stages
      .flat()
      .filter((i) => i.keyword === "COPY")
      .map((i) => copyParts(i.args))
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources);
    expect(sources).toContain(HEALTH_SCRIPT);
    for (const source of sources) {
      expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
      const hit = ignored.find(
        (p) => source === p || source.startsWith(`${p}/`) || p.startsWith(`${source}/`),
      );
      expect(hit, source).toBeUndefined();
    }
  });

  it("sets only TENANT_EVENTS_* variables that a command reads", () => {
    const known = new Set(
      [...helps.values()].flatMap((options) => [...options.values()].flatMap((o) => o.env ?? [])),
    );
    const set = runtime.flatMap((i) =>
      i.keyword === "ENV" ? (/^(TENANT_EVENTS_[A-Z0-9_]+)=/.exec(i.args)?.[1] ?? []) : [],
    );
    expect(set.filter((v) => !known.has(v))).toEqual([]);
  });

  it("keeps secrets and certificates out of the build context", () => {
    expect(ignored).toEqual(
      expect.arrayContaining(["deploy/certs", "deploy/secrets", "node_modules", ".git"]),
    );
  });
});

/**
 * Runs the services' commands as compose would, in dependency order, outside Docker: every compose
 * address becomes a loopback port, every secret its file, every volume a temporary directory.
 */
describe("the compose services run outside Docker", () => {
  let dynamo: DynamoDbLocal;
  let state: string;
  const running: RunningCli[] = [];
  const addresses = new Map<string, number>();
  const results = new Map<string, CliResult>();
  const health = new Map<string, CliResult>();
  const metrics = new Map<string, string>();

  function localize(s: ComposeService, value: string): string {
    let out = value.replace(/\/run\/secrets\/([a-z0-9-]+)/g, (_, name: string) => {
      if (!s.secrets.includes(name)) throw new Error(`${s.name} reads secret ${name} without mounting it`);
      const file = compose.secrets.get(name)!;
      return file.startsWith(CERTS_PREFIX)
        ? join(certsDir, file.slice(CERTS_PREFIX.length))
        : join(REPO_ROOT, file);
    });
    for (const v of s.volumes) {
      if (out.includes(`${v.target}/`)) out = out.replaceAll(`${v.target}/`, `${join(state, v.source)}/`);
    }
    return out.replace(
      /\b(0\.0\.0\.0|localhost|[a-z][a-z0-9-]*):(\d+)\b/g,
      (whole, host: string, port: string) => {
        const own = host === "0.0.0.0" || host === "localhost";
        const target = own ? s.name : host;
        if (!own && !compose.services.has(host)) return whole;
        const local = addresses.get(`${target}:${port}`);
        if (local === undefined) throw new Error(`${s.name}: nothing listens on ${target}:${port}`);
        return `${host === "0.0.0.0" ? "127.0.0.1" : "localhost"}:${local}`;
      },
    );
  }

  function argsOf(s: ComposeService): string[] {
    return s.command.map((a) => localize(s, a));
  }

  function envOf(s: ComposeService): Record<string, string> {
    return Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, localize(s, v)]));
  }

  async function checkHealth(s: ComposeService): Promise<CliResult> {
    const [kind, program, ...args] = s.healthcheck!;
    expect([kind, program]).toEqual(["CMD", "node"]);
    return run(
      process.execPath,
      args.map((a) => localize(s, a)),
    );
  }

  beforeAll(async () => {
    state = join(scratch, "state");
    dynamo = await startDynamoDbLocal();
    addresses.set("dynamodb:8000", Number(new URL(dynamo.endpoint).port));
    for (const s of productServices) {
      for (const { value } of flagsOf(s)) {
        const port = /^0\.0\.0\.0:(\d+)$/.exec(value ?? "")?.[1];
        if (port !== undefined) addresses.set(`${s.name}:${port}`, await freePort());
      }
      for (const v of s.volumes)
        if (!v.source.startsWith("./")) await mkdir(join(state, v.source), { recursive: true });
    }

    const ingest = service("ingest");
    const samples = ingest.volumes.find((v) => v.source.startsWith("./"))!;
    const sampleDir = join(REPO_ROOT, samples.source);
    const files = (await readdir(sampleDir)).filter((f) => f.endsWith(".log")).sort();
    const input = (await Promise.all(files.map((f) => readFile(join(sampleDir, f), "utf8")))).join("");
    results.set("ingest", await runCli(argsOf(ingest), { input, env: envOf(ingest) }));
    expect(results.get("ingest")!.code, results.get("ingest")!.stderr).toBe(0);

    for (const [name, ready] of [
      ["events", /events server ready/],
      ["tenants", /tenants service ready/],
    ] as const) {
      const s = service(name);
      const started = startCli(argsOf(s), envOf(s));
      running.push(started);
      await started.waitForLog(ready);
      health.set(name, await checkHealth(s));
      const metricsAddress = localize(s, flagValue(s, "--metrics-listen")!);
      metrics.set(name, await (await fetch(`http://${metricsAddress}/metrics`)).text());
    }

    const reporter = service("reporter");
    results.set(
      "reporter",
      await runCli([...argsOf(reporter), "--until-caught-up"], { env: envOf(reporter) }),
    );
    for (const r of running) r.child.kill("SIGTERM");
    const codes = await Promise.all(running.map((r) => r.exited));
    expect(codes).toEqual([0, 0]);

    const mau = service("mau");
    results.set("mau", await runCli([...argsOf(mau), "--format", "json"], { env: envOf(mau) }));
  }, 180_000);

  afterAll(async () => {
    for (const r of running) r.child.kill("SIGKILL");
    await dynamo?.stop();
  });

  it("ingests the sample audit log into DynamoDB Local", () => {
    expect(results.get("ingest")!.stdout).toMatch(
      /^ingested 20 event\(s\) into DynamoDB table teleport-events/,
    );
  });

  it("reports both servers healthy through the health check script over TLS", () => {
    for (const name of ["events", "tenants"]) {
      const result = health.get(name)!;
      expect(result.code, `${name}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/: SERVING$/m);
    }
  });

  it("serves Prometheus metrics where --metrics-listen says", () => {
    expect(metrics.get("events")).toMatch(/^# TYPE tenant_events_server_\w+/m);
    expect(metrics.get("tenants")).toMatch(/^# TYPE tenant_events_tenants_\w+/m);
  });

  it("reports over TLS with the example tokens and checkpoints its cursor on the state volume", async () => {
    const report = results.get("reporter")!;
    expect(report.code, report.stderr).toBe(0);
    const cursorPath = localize(service("reporter"), flagValue(service("reporter"), "--cursor-file")!);
    expect(cursorPath.startsWith(join(scratch, "state", "reporter-state"))).toBe(true);
    expect(await readFile(cursorPath, "utf8")).toMatch(/^\{"shard_id_to_sequence_number":\{"shardId-/);
  });

  it("counts the sample month's users for the example tenant in the tenants service's DuckDB", () => {
    const mau = results.get("mau")!;
    expect(mau.code, mau.stderr).toBe(0);
    const rows = JSON.parse(mau.stdout) as {
      tenant: string;
      month: string;
      protocol: string | null;
      mau: number;
    }[];
    const total = rows.find((r) => r.tenant === "example" && r.month === "2026-09" && r.protocol === null);
    // By hand from the sample: alice, bob, carol, dave, erin and charlie are active human users.
    expect(total?.mau).toBe(6);
  });
});
