import { stat } from "node:fs/promises";
import type { AuditLog, StartPosition } from "../../auditlog/audit-log.js";
import { isDomainError } from "../../errors/errors.js";
import type { Logger } from "../../observability/logger.js";
import { openAuditLog, type AuditLogSpec } from "../../auditlog/open-audit-log.js";
import { DEFAULT_MAX_STREAMS } from "../../server/auth-service.js";
import { startEventsServer } from "../../server/events-server.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { readSecret } from "../secrets.js";
import { abortOnSignals } from "../signals.js";
import {
  metricsFromFlags,
  serveUntilAborted,
  serverTlsFromFlags,
  type MetricsEndpoint,
  type ServerTlsFlags,
} from "../server-flags.js";
import { EXIT_OK, UsageError } from "../usage-error.js";
import { processRegistry } from "../../observability/process-metrics.js";
import { VERSION } from "../version.js";

interface ServeFlags extends LogFlags, ServerTlsFlags {
  auditLog: AuditLogSpec;
  listen: string;
  start: StartPosition;
  maxStreams?: number;
  tokenFile?: string;
  pollInterval?: number;
  onTrim: "fail" | "skip";
  metricsListen?: string;
  maxConnections?: number;
  handshakeTimeout?: number;
  metricsListenPublic?: boolean;
  endpoint?: string;
  region?: string;
}

/** `tenant-events serve`: the events server until SIGTERM/SIGINT, then a graceful shutdown. */
export async function run(flags: ServeFlags): Promise<number> {
  const logger = loggerFromFlags(flags);
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
