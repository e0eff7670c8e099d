import { createRequire } from "node:module";
import { Command, Option } from "commander";
import { parseAuditLogSpec, parseDuration, parsePositiveInt } from "./parsers.js";

/** Every option of every command can also be given as TENANT_EVENTS_<OPTION_NAME> (e.g. TENANT_EVENTS_LISTEN). */
export const ENV_PREFIX = "TENANT_EVENTS_";

export function envName(option: Option): string {
  return (
    ENV_PREFIX +
    option
      .attributeName()
      .replace(/[A-Z]/g, (c) => `_${c}`)
      .toUpperCase()
  );
}

/** Settings every subcommand needs (addCommand does not inherit them) and the env equivalents. */
function finish(command: Command): Command {
  command.exitOverride().showHelpAfterError("(run with --help for usage)");
  for (const option of command.options) {
    if (option.long === "--help" || option.long === "--version" || option.envVar !== undefined) continue;
    option.env(envName(option));
  }
  return command;
}

function logOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--log-level <level>", "log level")
        .choices(["trace", "debug", "info", "warn", "error", "fatal", "silent"])
        .default("info"),
    )
    .addOption(
      new Option("--log-format <format>", "log format (auto: pretty on a terminal, JSON otherwise)")
        .choices(["auto", "json", "pretty"])
        .default("auto"),
    );
}

function awsOptions(command: Command): Command {
  return command
    .option("--endpoint <url>", "DynamoDB endpoint URL (e.g. DynamoDB Local); default: AWS")
    .option("--region <region>", "AWS region; default: from the AWS configuration chain");
}

/** Loaded on demand so `--help` stays fast and commands load only what they use. */
async function run(module: string, options: Record<string, unknown>): Promise<void> {
  const loaded = (await import(`./commands/${module}.js`)) as {
    run: (options: Record<string, unknown>) => Promise<number>;
  };
  process.exitCode = await loaded.run(options);
}

export function buildProgram(): Command {
  const program = new Command("tenant-events")
    .description(
      "Monthly active users per protocol from Teleport audit events, anonymized before they leave the tenant.",
    )
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ showGlobalOptions: true });

  const serve = awsOptions(
    logOptions(
      new Command("serve")
        .description("events server: streams the audit log over gRPC (AuthService.StreamEvents)")
        .addOption(
          new Option("--audit-log <spec>", "audit log: file:DIR or dynamodb:TABLE")
            .argParser(parseAuditLogSpec)
            .makeOptionMandatory(),
        )
        .option("--listen <host:port>", "address to listen on", "127.0.0.1:50051")
        .addOption(
          new Option("--start <position>", "where a stream with an empty cursor starts")
            .choices(["trim_horizon", "latest"])
            .default("trim_horizon"),
        )
        .option("--max-streams <n>", "concurrent streams before RESOURCE_EXHAUSTED", parsePositiveInt, 16)
        .option("--token-file <file>", "bearer token clients must present (or TENANT_EVENTS_TOKEN)")
        .option("--tls-cert <file>", "TLS certificate (PEM)")
        .option("--tls-key <file>", "TLS private key (PEM)")
        .option("--tls-client-ca <file>", "require client certificates signed by this CA (PEM)")
        .option("--poll-interval <duration>", "pause before re-reading an idle log", parseDuration, 1000)
        .addOption(
          new Option("--on-trim <policy>", "DynamoDB: a cursor position that was trimmed (24 h retention)")
            .choices(["fail", "skip"])
            .default("fail"),
        )
        .option("--metrics-listen <host:port>", "serve Prometheus metrics on this address")
        .action((options: Record<string, unknown>) => run("serve", options)),
    ),
  );

  const stream = logOptions(
    new Command("stream")
      .description("prints events from an events server, with their cursors")
      .option("--server <host:port>", "events server address", "127.0.0.1:50051")
      .option("--cursor <cursor>", 'resume after this cursor (from a previous run); "" starts afresh', "")
      .option("--follow", "keep streaming new events (default: exit once caught up)", false)
      .option("--json", 'one JSON line per event: {"event": {...}, "cursor": "..."}', false)
      .option("--token-file <file>", "bearer token to present (or TENANT_EVENTS_TOKEN)")
      .option("--tls", "connect with TLS", false)
      .option("--tls-ca <file>", "CA to verify the server's certificate (PEM); implies --tls")
      .action((options: Record<string, unknown>) => run("stream", options)),
  );

  const ingest = awsOptions(
    logOptions(
      new Command("ingest")
        .description("writes Teleport JSON events (JSON Lines on stdin) in Teleport's own storage format")
        .addOption(
          new Option("--audit-log <spec>", "audit log: file:DIR or dynamodb:TABLE")
            .argParser(parseAuditLogSpec)
            .makeOptionMandatory(),
        )
        .action((options: Record<string, unknown>) => run("ingest", options)),
    ),
  );

  for (const command of [serve, stream, ingest]) program.addCommand(finish(command));
  return program;
}

const VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
