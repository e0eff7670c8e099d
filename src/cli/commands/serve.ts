import { stat } from "node:fs/promises";
import type { Command } from "commander";
import type { AuditLog, StartPosition } from "../../auditlog/audit-log.js";
import {
  DEFAULT_DYNAMO_POLL_MS,
  DEFAULT_MAX_CONCURRENT_SHARD_READS,
  DEFAULT_POLL_INTERVAL_MS,
} from "../../auditlog/audit-log-defaults.js";
import type { AuditLogSpec } from "../../auditlog/open-audit-log.js";
import { isDomainError } from "../../errors/errors.js";
import type { Logger } from "../../observability/logger.js";
import { DEFAULT_EVENTS_LISTEN, DEFAULT_MAX_STREAMS } from "../../server/events-server-defaults.js";
import { defineCommand } from "../define-command.js";
import { envOption } from "../env-option.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { formatDuration, parseDuration, parsePositiveInt } from "../parsers.js";
import { readSecret } from "../secrets.js";
import { abortOnSignals } from "../signals.js";
import {
  metricsFromFlags,
  serveUntilAborted,
  serverTlsFromFlags,
  type MetricsEndpoint,
  type ServerTlsFlags,
} from "../server-flags.js";
import {
  auditLogOption,
  awsOptions,
  connectionLimitOptions,
  logOptions,
  metricsOptions,
  serverTlsOptions,
  tokenFileOption,
} from "../shared-flags.js";
import { EXIT_OK, UsageError } from "../usage-error.js";
import { VERSION } from "../version.js";

interface ServeFlags extends LogFlags, ServerTlsFlags {
  auditLog: AuditLogSpec;
  listen: string;
  start: StartPosition;
  maxStreams?: number;
  tokenFile?: string;
  pollInterval?: number;
  maxConcurrentShardReads?: number;
  onTrim: "fail" | "skip";
  metricsListen?: string;
  maxConnections?: number;
  handshakeTimeout?: number;
  metricsListenPublic?: boolean;
  endpoint?: string;
  region?: string;
}

/** `tenant-events serve` and its flags. */
export function serveCommand(): Command {
  return defineCommand(
    "serve",
    "events server: streams the audit log over gRPC in Teleport's wire format (auth.AuthService and proto.AuthService StreamEvents)",
    [
      auditLogOption().makeOptionMandatory(),
      envOption("--listen <host:port>", "address to listen on", DEFAULT_EVENTS_LISTEN),
      envOption("--start <position>", "where a stream with an empty cursor starts")
        .choices(["trim_horizon", "latest"])
        .default("trim_horizon"),
      envOption(
        "--max-streams <n>",
        `concurrent streams before RESOURCE_EXHAUSTED (default: ${DEFAULT_MAX_STREAMS}), shared fairly between connections`,
        parsePositiveInt,
      ),
      ...connectionLimitOptions(),
      tokenFileOption("bearer token clients must present"),
      ...serverTlsOptions("require client certificates signed by this CA (PEM)"),
      envOption(
        "--poll-interval <duration>",
        `pause before re-reading an idle log (default: ${formatDuration(DEFAULT_DYNAMO_POLL_MS)} for DynamoDB, ` +
          `${formatDuration(DEFAULT_POLL_INTERVAL_MS)} for a file log, where it backs up file watching)`,
        parseDuration,
      ),
      envOption(
        "--max-concurrent-shard-reads <n>",
        "DynamoDB: reads each stream keeps in flight across its shards, one a shard at a time; also the " +
          `pages a stream holds for a client that stops reading (default: ${DEFAULT_MAX_CONCURRENT_SHARD_READS})`,
        parsePositiveInt,
      ),
      envOption(
        "--on-trim <policy>",
        "a cursor position removed by retention (DynamoDB's 24 h; a file log's deleted day file): " +
          "fail with DATA_LOSS, or skip it (logged and counted)",
      )
        .choices(["fail", "skip"])
        .default("fail"),
      ...metricsOptions(),
      ...logOptions(),
      ...awsOptions("DynamoDB endpoint URL (e.g. DynamoDB Local); default: AWS"),
    ],
    run,
  );
}

/** `tenant-events serve`: the events server until SIGTERM/SIGINT, then a graceful shutdown. */
export async function run(flags: ServeFlags): Promise<number> {
  // Loaded here, not above, so that building the program for --help does not load the server.
  const [{ openAuditLog }, { startEventsServer }, { processRegistry }] = await Promise.all([
    import("../../auditlog/open-audit-log.js"),
    import("../../server/events-server.js"),
    import("../../observability/process-metrics.js"),
  ]);
  const logger = await loggerFromFlags(flags);
  const token = await readSecret(flags.tokenFile, "TENANT_EVENTS_TOKEN", "token");
  const tls = serverTlsFromFlags(flags);
  const startMetrics = metricsFromFlags(flags);

  // On DynamoDB the streams share one reader a shard; the log itself keeps to AWS's advice of at most
  // two readers a shard, so the stream bound is the same for both logs.
  const maxStreams = flags.maxStreams ?? DEFAULT_MAX_STREAMS;
  if (flags.auditLog.kind === "file") await assertDirectory(flags.auditLog.dir);
  const registry = processRegistry({ version: VERSION, command: "serve" });
  const auditLog = await openAuditLog(flags.auditLog, {
    start: flags.start,
    pollIntervalMs: flags.pollInterval,
    endpoint: flags.endpoint,
    region: flags.region,
    onTrim: flags.onTrim,
    maxStreams,
    maxConcurrentShardReads: flags.maxConcurrentShardReads,
    logger,
    registry,
  });
  await verifyAuditLog(auditLog, logger);
  const stop = abortOnSignals((sig) => logger.info({ signal: sig }, "shutting down"));
  let metrics: MetricsEndpoint | undefined;
  try {
    // Every part runs before gRPC starts and says SERVING: one that cannot start ends the command.
    metrics = await startMetrics(registry);
    const server = await startEventsServer(auditLog, {
      listen: flags.listen,
      maxStreams,
      token,
      maxConnections: flags.maxConnections,
      handshakeTimeoutMs: flags.handshakeTimeout,
      tls,
      logger,
      registry,
    });
    logger.info(
      { listen: flags.listen, port: server.port, auditLog: flags.auditLog, metricsPort: metrics.port },
      "events server ready",
    );
    await serveUntilAborted(stop.signal, server);
    logger.info("events server stopped");
    return EXIT_OK;
  } finally {
    stop.dispose();
    await metrics?.close();
    await auditLog.close();
  }
}

/**
 * A file audit log's directory must exist when the server starts: otherwise every stream would wait on a
 * path that may never appear (a typo, an unmounted volume) while health says SERVING.
 */
async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") throw new UsageError(`--audit-log file:${dir}: no such directory`);
    throw new UsageError(`--audit-log file:${dir}: cannot read it (${err.code ?? err.message})`);
  });
  if (!info.isDirectory()) throw new UsageError(`--audit-log file:${dir}: not a directory`);
}

/**
 * Refuses to start on a problem every stream would hit (no table, no stream, no permission, no region or
 * credentials); a log that cannot be reached right now is only a warning, since streams retry.
 */
async function verifyAuditLog(auditLog: AuditLog, logger: Logger): Promise<void> {
  try {
    await auditLog.verify?.();
  } catch (err) {
    if (isDomainError(err) && err.kind === "unavailable") {
      logger.warn({ err }, "the audit log cannot be reached yet; streams will retry");
      return;
    }
    await auditLog.close();
    throw err;
  }
}
