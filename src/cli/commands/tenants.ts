import type { Command } from "commander";
import { parseSinkSpec } from "../../store/sink-spec.js";
import { EVENT_RETENTION_DEFAULTS } from "../../tenants/event-retention.js";
import { TENANTS_DEFAULTS } from "../../tenants/tenants-options.js";
import { DEFAULT_TENANTS_LISTEN } from "../../tenants/tenants-server-defaults.js";
import { defineCommand } from "../define-command.js";
import { envOption } from "../env-option.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { formatDuration, parseDuration, parsePositiveInt } from "../parsers.js";
import { abortOnSignals } from "../signals.js";
import {
  metricsFromFlags,
  serveUntilAborted,
  serverTlsFromFlags,
  type MetricsEndpoint,
  type ServerTlsFlags,
} from "../server-flags.js";
import {
  awsOptions,
  connectionLimitOptions,
  logOptions,
  metricsOptions,
  serverTlsOptions,
  sinkOption,
} from "../shared-flags.js";
import { EXIT_OK, UsageError } from "../usage-error.js";
import { VERSION } from "../version.js";

interface TenantsFlags extends LogFlags, ServerTlsFlags {
  sink: string;
  tenantTokens: string;
  listen: string;
  maxBatchEvents?: number;
  rateLimit?: number;
  rateBurst?: number;
  endpoint?: string;
  region?: string;
  metricsListen?: string;
  maxConnections?: number;
  handshakeTimeout?: number;
  metricsListenPublic?: boolean;
  eventRetention?: number;
  eventRetentionInterval?: number;
}

/** `tenant-events tenants` and its flags. */
export function tenantsCommand(): Command {
  return defineCommand(
    "tenants",
    "tenants service: authenticates reporters, validates and stores their batches in a sink",
    [
      sinkOption().makeOptionMandatory(),
      envOption(
        "--tenant-tokens <file>",
        "JSON file mapping token SHA-256 digests to tenant ids",
      ).makeOptionMandatory(),
      envOption("--listen <host:port>", "address to listen on", DEFAULT_TENANTS_LISTEN),
      ...serverTlsOptions("accept client certificates signed by this CA (PEM)"),
      ...connectionLimitOptions(),
      envOption(
        "--max-batch-events <n>",
        `most events per SubmitEvents call (default: ${TENANTS_DEFAULTS.maxBatchEvents})`,
        parsePositiveInt,
      ),
      envOption(
        "--rate-limit <events/s>",
        `per-tenant events per second (default: ${TENANTS_DEFAULTS.rateLimit.eventsPerSecond})`,
        parsePositiveInt,
      ),
      envOption(
        "--rate-burst <events>",
        `per-tenant burst (default: ${TENANTS_DEFAULTS.rateLimit.burst})`,
        parsePositiveInt,
      ),
      envOption(
        "--event-retention <days>",
        "delete raw events older than this many days, at start and then periodically (default: off; MAU " +
          "history stays, from the daily activity rollup; PostgreSQL deletes whole months; not for timestream:)",
        parsePositiveInt,
      ),
      envOption(
        "--event-retention-interval <duration>",
        `time between event retention runs (default: ${formatDuration(EVENT_RETENTION_DEFAULTS.intervalMs)})`,
        parseDuration,
      ),
      ...awsOptions("Timestream write endpoint URL; default: AWS"),
      ...metricsOptions(),
      ...logOptions(),
    ],
    run,
  );
}

/**
 * `tenant-events tenants`: the central TenantsService over a sink, until SIGTERM/SIGINT; then in-flight
 * batches finish (and are acknowledged only once stored) before the sink is closed.
 */
export async function run(flags: TenantsFlags): Promise<number> {
  checkRetentionFlags(flags);
  const logger = await loggerFromFlags(flags);
  const tls = serverTlsFromFlags(flags);
  const startMetrics = metricsFromFlags(flags);
  // Loaded here, not above, so that building the program for --help does not load the service or a sink.
  const [
    { openSink },
    { canExpireEvents, loadTenantTokens, runEventRetention, startTenantsServer },
    { processRegistry },
  ] = await Promise.all([
    import("../../store/open-store.js"),
    import("../../tenants/index.js"),
    import("../../observability/process-metrics.js"),
  ]);
  const tokens = await loadTenantTokens(flags.tenantTokens);
  const registry = processRegistry({ version: VERSION, command: "tenants" });
  const sink = await openSink(flags.sink, {
    logger,
    registry,
    timestream: {
      ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
      ...(flags.region === undefined ? {} : { region: flags.region }),
    },
  });
  const stop = abortOnSignals((sig) => logger.info({ signal: sig }, "shutting down"));
  const stopRetention = new AbortController();
  let retention: Promise<void> | undefined;
  let metrics: MetricsEndpoint | undefined;
  try {
    // Every part runs before gRPC starts and says SERVING: one that cannot start ends the command.
    metrics = await startMetrics(registry);
    const server = await startTenantsServer(sink, {
      tokens,
      listen: flags.listen,
      maxConnections: flags.maxConnections,
      handshakeTimeoutMs: flags.handshakeTimeout,
      tls,
      ...(flags.maxBatchEvents === undefined ? {} : { maxBatchEvents: flags.maxBatchEvents }),
      rateLimit: {
        ...(flags.rateLimit === undefined ? {} : { eventsPerSecond: flags.rateLimit }),
        ...(flags.rateBurst === undefined ? {} : { burst: flags.rateBurst }),
      },
      logger,
      registry,
    });
    logger.info(
      { listen: flags.listen, port: server.port, tenants: tokens.tenants.length, metricsPort: metrics.port },
      "tenants service ready",
    );
    if (flags.eventRetention !== undefined) {
      if (!canExpireEvents(sink)) throw new UsageError(`--event-retention: ${NO_RETENTION}`);
      retention = runEventRetention(
        sink,
        {
          days: flags.eventRetention,
          ...(flags.eventRetentionInterval === undefined ? {} : { intervalMs: flags.eventRetentionInterval }),
          logger,
          registry,
        },
        stopRetention.signal,
      );
    }
    await serveUntilAborted(stop.signal, server);
    logger.info("tenants service stopped");
    return EXIT_OK;
  } finally {
    stop.dispose();
    stopRetention.abort();
    await retention;
    await metrics?.close();
    await sink.close();
  }
}

const NO_RETENTION =
  "a timestream: sink keeps no raw events to expire here (the Timestream table's own retention expires them)";

/** The retention flags' combinations, checked before anything opens. */
function checkRetentionFlags(flags: TenantsFlags): void {
  if (flags.eventRetentionInterval !== undefined) {
    if (flags.eventRetention === undefined) {
      throw new UsageError("--event-retention-interval applies only with --event-retention");
    }
    if (flags.eventRetentionInterval <= 0)
      throw new UsageError("--event-retention-interval must be more than 0");
  }
  if (flags.eventRetention !== undefined && parseSinkSpec(flags.sink).kind === "timestream") {
    throw new UsageError(`--event-retention: ${NO_RETENTION}`);
  }
}
