import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, REPO_ROOT, type CliResult } from "../support/cli.js";
import { freePort } from "../support/processes.js";
import { copyParts, readDockerfile } from "./dockerfile.js";

/**
 * Without a Docker engine, the image's last stage is assembled in a directory as its COPY lines say
 * (build-stage paths from a `tsc` build of tsconfig.build.json), then its ENTRYPOINT starts an events
 * server there and the copied health check script asks it whether it serves. A file the runtime needs
 * and the Dockerfile forgets (the protos reflection loads, the bin, the health script) fails here.
 */

const BUILD_WORKDIR = "/app";

function run(command: string, args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the image's runtime stage, assembled without Docker", () => {
  const runtime = readDockerfile().at(-1)!;
  let scratch: string;
  let image: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "tenant-events-image-"));
    // What the build stage leaves in its WORKDIR: the package files, node_modules and the compiled dist.
    const build = join(scratch, "build");
    await mkdir(build);
    const tsc = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
    const built = await run(
      process.execPath,
      [tsc, "-p", "tsconfig.build.json", "--outDir", join(build, "dist")],
      REPO_ROOT,
    );
    expect(built.code, built.stdout + built.stderr).toBe(0);
    await cp(join(REPO_ROOT, "package.json"), join(build, "package.json"));
    await cp(join(REPO_ROOT, "package-lock.json"), join(build, "package-lock.json"));
    await symlink(join(REPO_ROOT, "node_modules"), join(build, "node_modules"), "dir");

    const workdir = runtime.filter((i) => i.keyword === "WORKDIR").at(-1)?.args;
    expect(workdir).toBe(BUILD_WORKDIR);
    image = join(scratch, "image");
    await mkdir(image);
    for (const instruction of runtime.filter((i) => i.keyword === "COPY")) {
      const { from, sources, dest } = copyParts(instruction.args);
      for (const source of sources) {
        let origin: string;
        if (from === undefined) origin = join(REPO_ROOT, source);
        else if (from === "build" && source.startsWith(`${BUILD_WORKDIR}/`))
          origin = join(build, posix.relative(BUILD_WORKDIR, source));
        else throw new Error(`COPY ${instruction.args}: unknown origin`);
        // Docker's rules: a destination ending in "/" is a directory to copy into.
        const target = dest.endsWith("/") ? join(image, dest, posix.basename(source)) : join(image, dest);
        await mkdir(dirname(target), { recursive: true });
        await cp(origin, target, { recursive: true, verbatimSymlinks: true });
      }
    }
  }, 120_000);

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("starts a server through the ENTRYPOINT that the copied health check finds SERVING", async () => {
    const entrypoint = JSON.parse(runtime.filter((i) => i.keyword === "ENTRYPOINT").at(-1)!.args) as string[];
    expect(entrypoint[0]).toBe("node");
    const port = await freePort();
    const server = spawn(
      process.execPath,
      [
        ...entrypoint.slice(1),
        "serve",
        "--audit-log",
        `file:${join(REPO_ROOT, "examples/audit-log")}`,
        "--listen",
        `127.0.0.1:${port}`,
        "--log-format",
        "json",
      ],
      { cwd: image, env: cleanEnv(), stdio: ["ignore", "ignore", "pipe"] },
    );
    let logs = "";
    server.stderr.setEncoding("utf8").on("data", (d: string) => (logs += d));
    const exited = new Promise<number | null>((resolve) => server.on("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        server.stderr.on("data", () => logs.includes("events server ready") && resolve());
        void exited.then(() => reject(new Error(`the server exited:\n${logs}`)));
      });
      const health = await run(process.execPath, ["deploy/grpc-health.mjs", `127.0.0.1:${port}`], image);
      expect(health.code, health.stdout + health.stderr).toBe(0);
      expect(health.stdout).toBe(`127.0.0.1:${port}: SERVING\n`);
    } finally {
      server.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});
