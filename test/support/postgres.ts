import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants, readdirSync } from "node:fs";
import { chown, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import pg from "pg";
import { freePort } from "./processes.js";

/** A throwaway PostgreSQL server for integration tests (Debian's postgresql, trust auth, loopback). */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** The superuser every database below is reachable as. */
  readonly user: string;
  /** A connection URL for `database` (default "postgres"). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs one statement as the superuser in `database`. */
  query(database: string, sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

const SUPERUSER = "postgres";

/**
 * Runs initdb into a fresh directory under the OS temp directory and starts `postgres` on a free
 * loopback port, fsync on, its socket in the same directory. As root (initdb refuses to run as root)
 * both run as the `postgres` OS user, who then owns the directory. `stop()` shuts the server down and
 * deletes the directory.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDirectory();
  const owner = osUser();
  const root = await mkdtemp(join(tmpdir(), "pg-test-"));
  const data = join(root, "data");
  const socket = join(root, "socket");
  await mkdir(socket);
  if (owner !== undefined) {
    for (const dir of [root, socket]) await chown(dir, owner.uid, owner.gid);
  }
  const spawnAs = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid };
  try {
    await run(
      join(bin, "initdb"),
      ["-D", data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
      spawnAs,
    );
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = spawn(
        join(bin, "postgres"),
        [
          "-D",
          data,
          "-p",
          String(port),
          "-k",
          socket,
          "-c",
          "listen_addresses=127.0.0.1",
          "-c",
          "fsync=on",
          "-c",
          "max_connections=100",
        ],
        { ...spawnAs, stdio: ["ignore", "ignore", "pipe"] },
      );
      let log = "";
      child.stderr?.setEncoding("utf8").on("data", (d: string) => (log += d));
      const exited = once(child, "exit");
      // An orphaned server would outlive a crashed test run; SIGQUIT is PostgreSQL's immediate stop.
      const onExit = () => child.kill("SIGQUIT");
      process.once("exit", onExit);
      try {
        await waitUntilReady(port, child, () => log);
      } catch (err) {
        process.off("exit", onExit);
        child.kill("SIGQUIT");
        await exited;
        if (attempt < 3 && /could not bind|Address already in use/.test(log)) continue;
        throw err;
      }
      return server(port, async () => {
        process.off("exit", onExit);
        if (child.exitCode === null && child.signalCode === null) {
          // SIGINT: fast shutdown (roll back sessions, checkpoint, exit).
          child.kill("SIGINT");
          await exited;
        }
        await rm(root, { recursive: true, force: true });
      });
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

function server(port: number, stop: () => Promise<void>): PostgresServer {
  const host = "127.0.0.1";
  const url = (database = "postgres") => `postgres://${SUPERUSER}@${host}:${port}/${database}`;
  const query = async (database: string, sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  return {
    host,
    port,
    user: SUPERUSER,
    url,
    query,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
      await query("postgres", `CREATE DATABASE ${name} TEMPLATE template0`);
      return url(name);
    },
    stop,
  };
}

/** Where initdb, postgres and pg_ctl live: PATH first, then Debian's /usr/lib/postgresql/<version>/bin. */
function binDirectory(): string {
  const candidates = (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  const debian = "/usr/lib/postgresql";
  try {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, "bin")));
  } catch {
    // not a Debian layout
  }
  for (const dir of candidates) {
    if (["initdb", "postgres"].every((name) => isExecutable(join(dir, name)))) return dir;
  }
  throw new Error("PostgreSQL server binaries (initdb, postgres) not found; install Debian's postgresql");
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The `postgres` OS account when running as root (initdb and postgres refuse root), else undefined. */
function osUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, SUPERUSER], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

async function run(command: string, args: string[], options: { uid?: number; gid?: number }) {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`${command} exited with ${code}:\n${output}`);
}

async function waitUntilReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited before accepting connections:\n${log()}`);
    }
    const client = new pg.Client({ host: "127.0.0.1", port, user: SUPERUSER, database: "postgres" });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections:\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
