import { helpAfterOptions } from "./help-text.js";
import { VERSION } from "./version.js";
import { Command, Option } from "commander";
import { UsageError } from "./usage-error.js";
import { formatDuration, parseAuditLogSpec, parseDuration, parsePositiveInt } from "./parsers.js";

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

/**
 * An option with its environment equivalent. Commander registers the env handler when the option is
 * added, so the variable must be set here rather than afterwards.
 */
function opt(
  flags: string,
  description: string,
  parseOrDefault?: ((value: string) => unknown) | string | boolean | number,
  defaultValue?: unknown,
): Option {
  const option = new Option(flags, description);
  option.env(envName(option));
  if (typeof parseOrDefault === "function") {
    option.argParser(parseOrDefault);
    // A duration's default is shown as one would type it ("5s"), not as its milliseconds.
    if (defaultValue !== undefined && parseOrDefault === parseDuration && typeof defaultValue === "number") {
      option.default(defaultValue, formatDuration(defaultValue));
    } else if (defaultValue !== undefined) option.default(defaultValue);
  } else if (parseOrDefault !== undefined) {
    option.default(parseOrDefault);
  }
  return option;
}

const METRICS_LISTEN_HELP =
  "serve Prometheus metrics on this address (loopback only, unless --metrics-listen-public)";
const METRICS_LISTEN_PUBLIC_HELP =
  "allow --metrics-listen beyond loopback: /metrics is plain HTTP without authentication and shows " +
  "tenant ids, event and batch counts and stream lag";

const MAX_CONNECTIONS_HELP = "open connections at most; more are closed at once (default: 1024)";
const HANDSHAKE_TIMEOUT_HELP =
  "time a new connection has to finish its TLS and HTTP/2 handshake and start a call (default: 10s)";

/** Settings every subcommand needs (addCommand does not inherit them). */
function finish(command: Command): Command {
  return command
    .addHelpText("after", helpAfterOptions(command.name()))
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .hook("preAction", (cmd) => applyBooleanEnv(cmd));
}

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off", ""]);

/** Commander turns a flag on when its variable merely exists; honour TENANT_EVENTS_FOLLOW=false too. */
function applyBooleanEnv(command: Command): void {
  for (const option of command.options) {
    if (option.required || option.optional || option.envVar === undefined) continue;
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== "env") continue;
    const word = (process.env[option.envVar] ?? "").trim().toLowerCase();
    if (TRUE_WORDS.has(word)) command.setOptionValueWithSource(key, true, "env");
    else if (FALSE_WORDS.has(word)) command.setOptionValueWithSource(key, false, "env");
    else throw new UsageError(`${option.envVar} must be true or false, got "${word}"`);
  }
}

function logOptions(command: Command, defaultLevel = "info"): Command {
  return command
    .addOption(
      opt("--log-level <level>", "log level")
        .choices(["trace", "debug", "info", "warn", "error", "fatal", "silent"])
        .default(defaultLevel),
    )
    .addOption(
      opt("--log-format <format>", "log format (auto: pretty on a terminal, JSON otherwise)")
        .choices(["auto", "json", "pretty"])
        .default("auto"),
    );
}

function awsOptions(command: Command): Command {
  return command
    .addOption(opt("--endpoint <url>", "DynamoDB endpoint URL (e.g. DynamoDB Local); default: AWS"))
    .addOption(opt("--region <region>", "AWS region; default: from the AWS configuration chain"));
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
        .description(
          "events server: streams the audit log over gRPC in Teleport's wire format (auth.AuthService and proto.AuthService StreamEvents)",
        )
        .addOption(
          opt("--audit-log <spec>", "audit log: file:DIR or dynamodb:TABLE")
            .argParser(parseAuditLogSpec)
            .makeOptionMandatory(),
        )
        .addOption(opt("--listen <host:port>", "address to listen on", "127.0.0.1:50051"))
        .addOption(
          opt("--start <position>", "where a stream with an empty cursor starts")
            .choices(["trim_horizon", "latest"])
            .default("trim_horizon"),
        )
        .addOption(
          opt(
            "--max-streams <n>",
            "concurrent streams before RESOURCE_EXHAUSTED (default: 64), shared fairly between connections",
            parsePositiveInt,
          ),
        )
        .addOption(opt("--max-connections <n>", MAX_CONNECTIONS_HELP, parsePositiveInt))
        .addOption(opt("--handshake-timeout <duration>", HANDSHAKE_TIMEOUT_HELP, parseDuration))
        .addOption(opt("--token-file <file>", "bearer token clients must present (or TENANT_EVENTS_TOKEN)"))
        .addOption(opt("--tls-cert <file>", "TLS certificate (PEM)"))
        .addOption(opt("--tls-key <file>", "TLS private key (PEM)"))
        .addOption(opt("--tls-client-ca <file>", "require client certificates signed by this CA (PEM)"))
        .addOption(
          opt(
            "--poll-interval <duration>",
            "pause before re-reading an idle log (default: 400ms for DynamoDB, 1s for a file log, " +
              "where it backs up file watching)",
            parseDuration,
          ),
        )
        .addOption(
          opt(
            "--on-trim <policy>",
            "a cursor position removed by retention (DynamoDB's 24 h; a file log's deleted day file): " +
              "fail with DATA_LOSS, or skip it (logged and counted)",
          )
            .choices(["fail", "skip"])
            .default("fail"),
        )
        .addOption(opt("--metrics-listen <host:port>", METRICS_LISTEN_HELP))
        .addOption(opt("--metrics-listen-public", METRICS_LISTEN_PUBLIC_HELP, false))
        .action((options: Record<string, unknown>) => run("serve", options)),
    ),
  );

  const stream = logOptions(
    new Command("stream")
      .description("prints events from an events server, with their cursors")
      .addOption(opt("--server <host:port>", "events server address", "127.0.0.1:50051"))
      .addOption(
        opt("--cursor <cursor>", 'resume after this cursor (from a previous run); "" starts afresh', ""),
      )
      .addOption(opt("--follow", "keep streaming new events (default: exit once caught up)", false))
      .addOption(opt("--json", 'one JSON line per event: {"event": {...}, "cursor": "..."}', false))
      .addOption(
        opt(
          "--cursors <mode>",
          'which events carry a cursor: every-event, or checkpoints (the others get ""; a checkpoint ' +
            "may come without an event, printed with event null; far fewer bytes over many DynamoDB shards)",
          "every-event",
        ).choices(["every-event", "checkpoints"]),
      )
      .addOption(opt("--token-file <file>", "bearer token to present (or TENANT_EVENTS_TOKEN)"))
      .addOption(opt("--tls", "connect with TLS", false))
      .addOption(opt("--tls-ca <file>", "CA to verify the server's certificate (PEM); implies --tls"))
      .action((options: Record<string, unknown>) => run("stream", options)),
  );

  const ingest = awsOptions(
    logOptions(
      new Command("ingest")
        .description(
          "writes Teleport JSON events (JSON Lines on stdin) in Teleport's own storage format; lines over " +
            "16 MiB, not UTF-8 or nested deeper than 256 levels are reported and skipped, as serve skips them",
        )
        .addOption(
          opt("--audit-log <spec>", "audit log: file:DIR or dynamodb:TABLE")
            .argParser(parseAuditLogSpec)
            .makeOptionMandatory(),
        )
        .addOption(
          opt(
            "--enable-stream",
            "DynamoDB: turn on a NEW_IMAGE stream on an existing table that has none (otherwise refused, never changed)",
            false,
          ),
        )
        .action((options: Record<string, unknown>) => run("ingest", options)),
    ),
  );

  const report = logOptions(
    new Command("report")
      .description(
        "reporter: streams events, keeps those that make a user active, anonymizes and submits them",
      )
      .addOption(opt("--server <host:port>", "events server address", "127.0.0.1:50051"))
      .addOption(
        opt("--server-token-file <file>", "token for the events server (or TENANT_EVENTS_SERVER_TOKEN)"),
      )
      .addOption(opt("--server-tls-ca <file>", "connect to the events server with TLS, verified by this CA"))
      .addOption(opt("--tenants <host:port>", "tenants service address", "127.0.0.1:50052"))
      .addOption(
        opt(
          "--tenant-token-file <file>",
          "this tenant's token for the tenants service (or TENANT_EVENTS_TENANT_TOKEN)",
        ),
      )
      .addOption(
        opt("--tenants-tls-ca <file>", "connect to the tenants service with TLS, verified by this CA"),
      )
      .addOption(
        opt(
          "--anonymization-key-file <file>",
          "HMAC key for user and cluster names; never leaves the tenant (or TENANT_EVENTS_ANONYMIZATION_KEY)",
        ),
      )
      .addOption(opt("--cursor-file <file>", "where the cursor is checkpointed").makeOptionMandatory())
      .addOption(opt("--batch-size <n>", "most events per SubmitEvents call", parsePositiveInt, 500))
      .addOption(opt("--batch-interval <duration>", "longest an event waits in a batch", parseDuration, 5000))
      .addOption(
        opt(
          "--max-in-flight-batches <n>",
          "batches submitted at once while the next fills (the cursor is saved in order)",
          parsePositiveInt,
          2,
        ),
      )
      .addOption(opt("--until-caught-up", "exit 0 once everything present at start is acknowledged", false))
      .addOption(opt("--usage-file <file>", "JSON resource counts to send with SubmitUsageReports"))
      .addOption(opt("--usage-interval <duration>", "between usage reports", parseDuration, 3_600_000))
      .addOption(opt("--metrics-listen <host:port>", METRICS_LISTEN_HELP))
      .addOption(opt("--metrics-listen-public", METRICS_LISTEN_PUBLIC_HELP, false))
      .action((options: Record<string, unknown>) => run("report", options)),
  );

  const mau = logOptions(
    new Command("mau")
      .description("monthly active users per month and protocol, from a sink")
      .addOption(
        opt(
          "--sink <spec>",
          "sink: duckdb:PATH, postgres://USER@HOST/DB or timestream:DATABASE/TABLE",
        ).makeOptionMandatory(),
      )
      .addOption(
        opt(
          "--month <YYYY-MM[..YYYY-MM]>",
          "a calendar month (UTC) or an inclusive range",
        ).makeOptionMandatory(),
      )
      .addOption(opt("--tenant <id>", "only this tenant (default: every tenant)"))
      .addOption(opt("--include-bots", "also count bots, as rows of their own", false))
      .addOption(opt("--format <format>", "output format").choices(["table", "json", "csv"]).default("table"))
      .addOption(
        opt("--show <what>", "mau per month, the rolling 30-day series, or the latest usage reports")
          .choices(["mau", "rolling", "usage"])
          .default("mau"),
      )
      .addOption(
        opt("--chart <file.svg>", "also write an SVG chart of MAU per protocol and the rolling series"),
      )
      .addOption(opt("--endpoint <url>", "Timestream query endpoint URL; default: AWS"))
      .addOption(opt("--region <region>", "AWS region; default: from the AWS configuration chain"))
      .action((options: Record<string, unknown>) => run("mau", options)),
  );

  const tenants = logOptions(
    new Command("tenants")
      .description("tenants service: authenticates reporters, validates and stores their batches in a sink")
      .addOption(
        opt(
          "--sink <spec>",
          "sink: duckdb:PATH, postgres://USER@HOST/DB or timestream:DATABASE/TABLE",
        ).makeOptionMandatory(),
      )
      .addOption(
        opt(
          "--tenant-tokens <file>",
          "JSON file mapping token SHA-256 digests to tenant ids",
        ).makeOptionMandatory(),
      )
      .addOption(opt("--listen <host:port>", "address to listen on", "127.0.0.1:50052"))
      .addOption(opt("--tls-cert <file>", "TLS certificate (PEM)"))
      .addOption(opt("--tls-key <file>", "TLS private key (PEM)"))
      .addOption(opt("--tls-client-ca <file>", "accept client certificates signed by this CA (PEM)"))
      .addOption(opt("--max-connections <n>", MAX_CONNECTIONS_HELP, parsePositiveInt))
      .addOption(opt("--handshake-timeout <duration>", HANDSHAKE_TIMEOUT_HELP, parseDuration))
      .addOption(
        opt("--max-batch-events <n>", "most events per SubmitEvents call (default: 10000)", parsePositiveInt),
      )
      .addOption(
        opt("--rate-limit <events/s>", "per-tenant events per second (default: 2000)", parsePositiveInt),
      )
      .addOption(opt("--rate-burst <events>", "per-tenant burst (default: 20000)", parsePositiveInt))
      .addOption(opt("--endpoint <url>", "Timestream write endpoint URL; default: AWS"))
      .addOption(opt("--region <region>", "AWS region; default: from the AWS configuration chain"))
      .addOption(opt("--metrics-listen <host:port>", METRICS_LISTEN_HELP))
      .addOption(opt("--metrics-listen-public", METRICS_LISTEN_PUBLIC_HELP, false))
      .action((options: Record<string, unknown>) => run("tenants", options)),
  );

  const hashTokenCommand = new Command("hash-token")
    .description("prints the SHA-256 of a token, as the tenants service's tokens file wants it")
    .addOption(opt("--token-file <file>", "file holding the token (or TENANT_EVENTS_TOKEN)"))
    .action((options: Record<string, unknown>) => run("hash-token", options));

  const generate = new Command("generate")
    .description("writes synthetic Teleport audit events (JSON Lines), deterministic for a seed")
    .addOption(opt("--events <n>", "exactly this many events").makeOptionMandatory())
    .addOption(opt("--users <n>", "users to draw from, humans and bots", "100"))
    .addOption(opt("--months <n>", "calendar months covered", "12"))
    .addOption(opt("--seed <n>", "same flags and seed give the same bytes", "1"))
    .addOption(opt("--start <YYYY-MM>", "first month (UTC); default: the months before the current one"))
    .addOption(opt("--clusters <n>", "cluster names to spread events over", "2"))
    .addOption(opt("--output <file>", "write here instead of stdout"))
    .action((options: Record<string, unknown>) => run("generate", options));

  const demo = logOptions(
    new Command("demo")
      .description(
        "the whole pipeline in one process on loopback: generates events, serves, reports, stores, prints MAU",
      )
      .addOption(opt("--data <dir>", "where the demo keeps all its state", ".demo"))
      .addOption(
        opt(
          "--audit-log <spec>",
          "use this audit log (file:DIR or dynamodb:TABLE) instead of generating one",
        ).argParser(parseAuditLogSpec),
      )
      .addOption(opt("--sink <spec>", "sink (default: duckdb:<data>/usage.duckdb)"))
      .addOption(
        opt("--events <n>", "events to generate when there is no audit log yet", parsePositiveInt, 30_000),
      )
      .addOption(opt("--users <n>", "users in the generated events", parsePositiveInt, 150))
      .addOption(
        opt(
          "--months <n>",
          "full months of generated events, ending with last month (only when there is no audit log yet)",
          parsePositiveInt,
          3,
        ),
      )
      .addOption(opt("--seed <n>", "seed of the generated events", parsePositiveInt, 1))
      .addOption(opt("--follow", "keep running and reporting new events until SIGTERM", false))
      .addOption(opt("--endpoint <url>", "AWS endpoint URL (DynamoDB Local, a Timestream test endpoint)"))
      .addOption(opt("--region <region>", "AWS region; default: from the AWS configuration chain"))
      .addOption(opt("--metrics-listen <host:port>", METRICS_LISTEN_HELP))
      .addOption(opt("--metrics-listen-public", METRICS_LISTEN_PUBLIC_HELP, false))
      .action((options: Record<string, unknown>) => run("demo", options)),
    "warn",
  );

  for (const command of [serve, stream, ingest, report, tenants, hashTokenCommand, mau, generate, demo])
    program.addCommand(finish(command));
  return program;
}
