import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("tenant-events CLI", () => {
  it("prints help listing the commands and exits 0", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["serve", "stream", "ingest"]) expect(result.stdout).toContain(command);
  });

  it("shows the environment equivalent of every option", async () => {
    const result = await runCli(["serve", "--help"]);
    expect(result.code).toBe(0);
    const help = result.stdout.replace(/\s+/g, " ");
    for (const env of ["TENANT_EVENTS_AUDIT_LOG", "TENANT_EVENTS_LISTEN", "TENANT_EVENTS_MAX_STREAMS"]) {
      expect(help).toContain(`env: ${env}`);
    }
  });

  it("rejects an unknown flag with one line on stderr and exit code 2", async () => {
    const result = await runCli(["stream", "--no-such-flag"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toMatch(/unknown option '--no-such-flag'/);
  });

  it("rejects a malformed audit log spec with exit code 2", async () => {
    const result = await runCli(["serve", "--audit-log", "s3:bucket"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected "file:DIR" or "dynamodb:TABLE"/);
  });

  it("refuses to serve a file audit log whose directory does not exist, before saying ready", async () => {
    const result = await runCli([
      "serve",
      "--audit-log",
      "file:./no-such-audit-log-dir",
      "--listen",
      "127.0.0.1:0",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: --audit-log file:./no-such-audit-log-dir: no such directory\n");
  });

  it.each([
    ["no region", { AWS_REGION: "", AWS_DEFAULT_REGION: "" }, /not configured \(Region .*\); set the region/],
    [
      "no credentials",
      { AWS_REGION: "eu-west-1" },
      /not configured \(.*credentials.*\); give it credentials/,
    ],
  ])("refuses to serve DynamoDB with %s, saying so, before saying ready", async (_what, env, message) => {
    const result = await runCli(["serve", "--audit-log", "dynamodb:events", "--listen", "127.0.0.1:0"], {
      env: {
        ...env,
        AWS_CONFIG_FILE: "/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
        AWS_PROFILE: "",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
        AWS_WEB_IDENTITY_TOKEN_FILE: "",
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain("events server ready");
  });

  it("reads an option from its environment variable", async () => {
    const result = await runCli(["serve"], { env: { TENANT_EVENTS_AUDIT_LOG: "nope" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected "file:DIR" or "dynamodb:TABLE"/);
  });

  it("checks the reporter's and the stream's tuning flags", async () => {
    const inFlight = await runCli(["report", "--cursor-file", "c", "--max-in-flight-batches", "0"]);
    expect(inFlight.code).toBe(2);
    expect(inFlight.stderr).toMatch(/--max-in-flight-batches/);
    const cursors = await runCli(["stream", "--cursors", "sometimes"]);
    expect(cursors.code).toBe(2);
    expect(cursors.stderr).toMatch(/every-event, checkpoints/);
    const help = (await runCli(["report", "--help"])).stdout.replace(/\s+/g, " ");
    expect(help).toContain("env: TENANT_EVENTS_MAX_IN_FLIGHT_BATCHES");
  });

  it("requires --audit-log for serve", async () => {
    const result = await runCli(["serve"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--audit-log/);
  });
});

describe("tenant-events generate", () => {
  it("writes the same events for the same seed, and exactly as many as asked", async () => {
    const args = [
      "generate",
      "--events",
      "200",
      "--users",
      "20",
      "--months",
      "2",
      "--start",
      "2026-08",
      "--seed",
      "7",
    ];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.trimEnd().split("\n")).toHaveLength(200);
  });
});
