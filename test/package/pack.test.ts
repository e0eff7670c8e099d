import { execFile } from "node:child_process";
import { readdir, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventsServer, type EventsServer } from "../../src/server/events-server.js";
import { MemoryAuditLog } from "../fakes/memory-audit-log.js";
import { REPO_ROOT } from "../support/cli.js";

/**
 * The packages as a user gets them: `npm pack` (which builds through `prepack`), installed from the
 * tarball into a scratch project, a consumer compiled with tsc against the published types, and run
 * against a real events server.
 */

const exec = promisify(execFile);
const TSC = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

let scratch: string;
let clientTarball: string;
let rootTarball: string;

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec("npm", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** `npm pack` into the scratch directory; returns the tarball's path. */
async function pack(dir: string): Promise<string> {
  const out = await npm(["pack", "--json", "--pack-destination", scratch, "--loglevel=error"], dir);
  const [info] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string }[];
  return join(scratch, info!.filename);
}

async function tarList(tarball: string): Promise<string[]> {
  const { stdout } = await exec("tar", ["-tzf", tarball]);
  return stdout.split("\n").filter((l) => l !== "");
}

/** A scratch project depending on `tarball`, installed. */
async function consumerProject(
  name: string,
  tarball: string,
  packageName: string,
  skipLibCheck: boolean,
): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir);
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({
      name,
      private: true,
      type: "module",
      dependencies: { [packageName]: `file:${tarball}` },
    }),
  );
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noUncheckedIndexedAccess: true,
        types: [],
        skipLibCheck,
        outDir: "out",
      },
      files: ["consumer.ts"],
    }),
  );
  await npm(["install", ...NPM_FLAGS], dir);
  return dir;
}

async function compile(dir: string, source: string): Promise<void> {
  await writeFile(join(dir, "consumer.ts"), source);
  await exec(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: dir }).catch(
    (err: Error & { stdout?: string }) => {
      throw new Error(`tsc failed:\n${err.stdout ?? err.message}`);
    },
  );
}

/** Every file under `dir` whose name matches. */
async function find(dir: string, match: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (match(entry.name)) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "tenant-events-pack-"));
  clientTarball = await pack(join(REPO_ROOT, "packages/client"));
  rootTarball = await pack(REPO_ROOT);
}, 300_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("the tenant-events-client package", () => {
  let server: EventsServer;
  let log: MemoryAuditLog;
  let project: string;

  beforeAll(async () => {
    log = new MemoryAuditLog(["shard-a", "shard-b"]);
    for (let i = 0; i < 5; i++) log.appendEvents(1, i % 2 === 0 ? "shard-a" : "shard-b");
    server = await startEventsServer(log, { listen: "127.0.0.1:0", token: "pack-token" });
    project = await consumerProject("client-consumer", clientTarball, "tenant-events-client", false);
  }, 300_000);

  afterAll(async () => {
    await server.shutdown(1000);
  });

  it("ships the compiled client with its types, and no sources", async () => {
    const files = await tarList(clientTarball);
    expect(files).toEqual(
      expect.arrayContaining([
        "package/package.json",
        "package/README.md",
        "package/dist/client/index.js",
        "package/dist/client/index.d.ts",
        "package/dist/gen/auth/auth.js",
      ]),
    );
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("installs without native modules, sinks or AWS SDKs", async () => {
    const modules = join(project, "node_modules");
    expect(await find(modules, (n) => n.endsWith(".node"))).toEqual([]);
    const top = await readdir(modules);
    for (const heavy of ["@duckdb", "@aws-sdk", "pg", "lossless-json"]) expect(top).not.toContain(heavy);
  });

  it("compiles a strict TypeScript consumer that streams, then resumes from its cursor", async () => {
    await compile(
      project,
      `import { createEventsClient, decodeCursor, DataLossError, type StreamEvent } from "tenant-events-client";

const [address, cursor = ""] = process.argv.slice(2);
const client = await createEventsClient(address!, { token: "pack-token" });
const events: StreamEvent[] = [];
for await (const e of client.streamEvents(cursor, { untilCaughtUp: true })) events.push(e);
client.close();
const last = events.at(-1)?.cursor ?? cursor;
console.log(JSON.stringify({ count: events.length, shards: [...decodeCursor(last).keys()], last }));
void DataLossError;
`,
    );
    const run = async (cursor?: string) => {
      const args = [join(project, "out/consumer.js"), `127.0.0.1:${server.port}`];
      const { stdout } = await exec(process.execPath, cursor === undefined ? args : [...args, cursor]);
      return JSON.parse(stdout) as { count: number; shards: string[]; last: string };
    };
    const first = await run();
    expect(first.count).toBe(5);
    expect(first.shards.sort()).toEqual(["shard-a", "shard-b"]);
    log.appendEvents(2, "shard-b");
    const second = await run(first.last);
    expect(second.count).toBe(2);
  }, 180_000);
});

describe("the tenant-events package", () => {
  let project: string;

  beforeAll(async () => {
    project = await consumerProject("root-consumer", rootTarball, "tenant-events", true);
  }, 300_000);

  it("ships the build (made by prepack), the CLI, the protos and the license", async () => {
    const files = await tarList(rootTarball);
    expect(files).toEqual(
      expect.arrayContaining([
        "package/LICENSE",
        "package/bin/tenant-events.js",
        "package/dist/index.js",
        "package/dist/index.d.ts",
        "package/dist/cli/main.js",
        "package/dist/client/index.d.ts",
        "package/dist/reporter/index.d.ts",
        "package/dist/messages.d.ts",
        "package/proto/auth/auth.proto",
      ]),
    );
  });

  it("runs its CLI from the installed tarball", async () => {
    const { stdout } = await exec(process.execPath, [
      join(project, "node_modules/tenant-events/bin/tenant-events.js"),
      "--version",
    ]);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("type-checks a consumer of each entry point: the library, client, reporter and messages", async () => {
    await compile(
      project,
      `import { openSink, startEventsServer, messages } from "tenant-events";
import { createEventsClient, type EventsClientOptions } from "tenant-events/client";
import { Reporter, HmacAnonymizer, type CursorStore, type EventSource, type Submitter } from "tenant-events/reporter";
import { auth, tenants } from "tenant-events/messages";

const options: EventsClientOptions = { token: "t" };
const store: CursorStore = { load: async () => "", save: async () => undefined };
const anonymizer = new HmacAnonymizer(new TextEncoder().encode("key"));
const request: auth.StreamEventsRequest = auth.StreamEventsRequest.decode(new Uint8Array());
const event: tenants.Event | undefined = undefined;
export const used = [openSink, startEventsServer, messages, createEventsClient, options, store, anonymizer, request, event, Reporter];
export type Seams = [EventSource, Submitter];
`,
    );
    const { stdout } = await exec(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'import("tenant-events/messages").then((m) => console.log(Object.keys(m).sort().join(",")))',
      ],
      { cwd: project },
    );
    expect(stdout.trim()).toBe("auth,events,tenants");
  }, 180_000);
});
