import type { StartPosition } from "../../auditlog/audit-log.js";
import { openAuditLog, type AuditLogSpec } from "../../auditlog/open-audit-log.js";
import { parseListenAddress } from "../../grpc/listen-address.js";
import { newRegistry } from "../../observability/metrics.js";
import { startMetricsServer } from "../../observability/metrics-server.js";
import { DEFAULT_MAX_STREAMS } from "../../server/auth-service.js";
import { startEventsServer } from "../../server/events-server.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { readSecret } from "../secrets.js";
import { abortOnSignals } from "../signals.js";
import { EXIT_OK, UsageError } from "../usage-error.js";

interface ServeFlags extends LogFlags {
  auditLog: AuditLogSpec;
  listen: string;
  start: StartPosition;
  maxStreams?: number;
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  pollInterval: number;
  onTrim: "fail" | "skip";
  metricsListen?: string;
  endpoint?: string;
  region?: string;
}

/** `tenant-events serve`: the events server until SIGTERM/SIGINT, then a graceful shutdown. */
export async function run(flags: ServeFlags): Promise<number> {
  const logger = loggerFromFlags(flags);
  const token = await readSecret(flags.tokenFile, "TENANT_EVENTS_TOKEN", "token");
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  const tls =
    flags.tlsCert !== undefined && flags.tlsKey !== undefined
      ? { certPath: flags.tlsCert, keyPath: flags.tlsKey, clientCaPath: flags.tlsClientCa }
      : undefined;
  const metricsAddress =
    flags.metricsListen === undefined ? undefined : parseListenAddress(flags.metricsListen);

  // DynamoDB: AWS advises at most two readers per shard, and every stream reads every shard.
  const maxStreams = flags.maxStreams ?? (flags.auditLog.kind === "dynamodb" ? 2 : DEFAULT_MAX_STREAMS);
  const registry = newRegistry();
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
  const stop = abortOnSignals((sig) => logger.info({ signal: sig }, "shutting down"));
  try {
    const server = await startEventsServer(auditLog, {
      listen: flags.listen,
      maxStreams,
      token,
      tls,
      logger,
      registry,
    });
    const metrics =
      metricsAddress === undefined
        ? undefined
        : await startMetricsServer(registry, metricsAddress.host, metricsAddress.port);
    logger.info(
      { listen: flags.listen, port: server.port, auditLog: flags.auditLog, metricsPort: metrics?.port },
      "events server ready",
    );
    await new Promise<void>((resolve) =>
      stop.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    await server.shutdown();
    await metrics?.close();
    logger.info("events server stopped");
    return EXIT_OK;
  } finally {
    stop.dispose();
    await auditLog.close();
  }
}
