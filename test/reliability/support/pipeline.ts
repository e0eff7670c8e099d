import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendEvents } from "../../../src/auditlog/file/index.js";
import { generateEvents } from "../../../src/generate/index.js";
import { DuckDbSink } from "../../../src/store/duckdb/duckdb-sink.js";
import { runCli } from "../../support/cli.js";
import { freePort, startCli, type RunningCli } from "../../support/processes.js";

/** The pipeline's processes (serve, tenants, report) from the command line, each restartable. */

/** A temp directory removed by `cleanup`. */
export async function workDir(name: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `tenant-events-reliability-${name}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Tenant {
  id: string;
  token: string;
  tokenFile: string;
}

/** Secrets under `dir`: a token per tenant, the events server's token and the anonymization key. */
export interface Credentials {
  tenants: Tenant[];
  tenantTokensFile: string;
  serverToken: string;
  serverTokenFile: string;
  key: string;
  keyFile: string;
}

export async function writeCredentials(dir: string, tenantIds: readonly string[]): Promise<Credentials> {
  const secret = (label: string) =>
    `${label}-${createHash("sha256").update(`${dir}/${label}`).digest("hex")}`;
  const tenants: Tenant[] = [];
  for (const id of tenantIds) {
    const tenant = { id, token: secret(`token-${id}`), tokenFile: join(dir, `token-${id}`) };
    await writeFile(tenant.tokenFile, `${tenant.token}\n`);
    tenants.push(tenant);
  }
  const tenantTokensFile = join(dir, "tenant-tokens.json");
  await writeFile(
    tenantTokensFile,
    JSON.stringify({
      tenants: tenants.map((t) => ({
        id: t.id,
        token_sha256: createHash("sha256").update(t.token).digest("hex"),
      })),
    }),
  );
  const serverToken = secret("server-token");
  const serverTokenFile = join(dir, "server-token");
  await writeFile(serverTokenFile, `${serverToken}\n`);
  const key = secret("anonymization-key");
  const keyFile = join(dir, "key");
  await writeFile(keyFile, `${key}\n`);
  return { tenants, tenantTokensFile, serverToken, serverTokenFile, key, keyFile };
}

/** Generates `events` synthetic events into Teleport's file audit log at `dir/log`; returns their lines. */
export async function writeAuditLog(
  dir: string,
  options: { events: number; users?: number; months?: number; seed: number },
): Promise<string[]> {
  const lines = [
    ...generateEvents({
      events: options.events,
      users: options.users ?? 200,
      months: options.months ?? 3,
      start: "2026-06",
      seed: options.seed,
    }),
  ];
  const { written } = await appendEvents(join(dir, "log"), lines);
  if (written !== lines.length) throw new Error(`wrote ${written} of ${lines.length} events`);
  return lines;
}

/**
 * One long-running CLI command on a fixed loopback port, restartable after a kill. Keeps the stderr of
 * every incarnation (for the scan of logs for secrets).
 */
export class Service {
  private running: RunningCli | undefined;
  private readonly previousStderr: string[] = [];
  starts = 0;

  private constructor(
    readonly port: number,
    private readonly args: (port: number) => string[],
    private readonly ready: RegExp,
  ) {}

  static async create(args: (port: number) => string[], ready: RegExp): Promise<Service> {
    return new Service(await freePort(), args, ready);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get process(): RunningCli {
    if (this.running === undefined) throw new Error("not started");
    return this.running;
  }

  async start(): Promise<void> {
    this.running = startCli([...this.args(this.port), "--log-level", "debug"]);
    this.starts++;
    await this.running.waitForLog(this.ready, 60_000);
  }

  /** SIGKILL, then waits for the process to be gone. */
  async kill(): Promise<void> {
    const running = this.process;
    running.child.kill("SIGKILL");
    await running.exited;
    this.previousStderr.push(running.stderr());
    this.running = undefined;
  }

  /** SIGTERM; resolves with the exit code. */
  async stop(): Promise<number | null> {
    const running = this.running;
    if (running === undefined) return null;
    running.child.kill("SIGTERM");
    const code = await running.exited;
    this.previousStderr.push(running.stderr());
    this.running = undefined;
    return code;
  }

  /** Every incarnation's stderr. */
  stderr(): string {
    return [...this.previousStderr, this.running?.stderr() ?? ""].join("\n");
  }
}

/** Resolves once `pattern` has matched `count` more stderr lines of `cli` (counted from now). */
export function afterLines(cli: RunningCli, pattern: RegExp, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    let partial = "";
    const stream = cli.child.stderr;
    const onData = (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (pattern.test(line) && ++seen >= count) {
          stream?.off("data", onData);
          resolve();
          return;
        }
      }
    };
    stream?.on("data", onData);
    void cli.exited.then(() => {
      stream?.off("data", onData);
      resolve();
    });
  });
}

export function serveArgs(dir: string, credentials?: Credentials) {
  return (port: number): string[] => [
    "serve",
    "--audit-log",
    `file:${join(dir, "log")}`,
    "--listen",
    `127.0.0.1:${port}`,
    "--poll-interval",
    "100",
    ...(credentials === undefined ? [] : ["--token-file", credentials.serverTokenFile]),
  ];
}

export function tenantsArgs(dir: string, credentials: Credentials) {
  return (port: number): string[] => [
    "tenants",
    "--sink",
    `duckdb:${join(dir, "usage.duckdb")}`,
    "--tenant-tokens",
    credentials.tenantTokensFile,
    "--listen",
    `127.0.0.1:${port}`,
    "--rate-limit",
    "1000000",
    "--rate-burst",
    "1000000",
  ];
}

export function reportArgs(
  dir: string,
  credentials: Credentials,
  tenant: Tenant,
  addresses: { server: string; tenants: string },
  extra: readonly string[] = [],
): string[] {
  return [
    "report",
    "--server",
    addresses.server,
    "--server-token-file",
    credentials.serverTokenFile,
    "--tenants",
    addresses.tenants,
    "--tenant-token-file",
    tenant.tokenFile,
    "--anonymization-key-file",
    credentials.keyFile,
    "--cursor-file",
    join(dir, `cursor-${tenant.id}`),
    "--log-level",
    "debug",
    ...extra,
  ];
}

export interface EventRow {
  tenant: string;
  id: string;
  type: string;
  user: string;
  user_kind: number;
  protocol: string;
  cluster: string;
  session_kind: string;
}

/** Every stored event row, read from the DuckDB file once the tenants service has stopped. */
export async function sinkRows(dir: string): Promise<EventRow[]> {
  const sink = await DuckDbSink.open(join(dir, "usage.duckdb"));
  try {
    const connection = await sink.queryConnection();
    const reader = await connection.runAndReadAll(
      `SELECT tenant, id, type, "user", user_kind, protocol, cluster, session_kind FROM events ORDER BY tenant, id`,
    );
    return reader.getRowObjectsJS() as unknown as EventRow[];
  } finally {
    await sink.close();
  }
}

/** MAU rows of every tenant from the `mau` command (JSON), only the non-zero ones. */
export async function mauRows(dir: string, months: string): Promise<MauRow[]> {
  const result = await runCli([
    "mau",
    "--sink",
    `duckdb:${join(dir, "usage.duckdb")}`,
    "--month",
    months,
    "--format",
    "json",
    "--include-bots",
  ]);
  if (result.code !== 0) throw new Error(`mau failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as MauRow[]).filter((row) => row.mau > 0);
}

export interface MauRow {
  tenant: string;
  month: string;
  user_kind: string;
  protocol: string | null;
  mau: number;
}
