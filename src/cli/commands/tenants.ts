import type { Command } from "commander";
import { TENANTS_DEFAULTS } from "../../tenants/tenants-options.js";
import { DEFAULT_TENANTS_LISTEN } from "../../tenants/tenants-server-defaults.js";
import { defineCommand } from "../define-command.js";
import { envOption } from "../env-option.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { parsePositiveInt } from "../parsers.js";
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
import { EXIT_OK } from "../usage-error.js";
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
  const logger = await loggerFromFlags(flags);
  const tls = serverTlsFromFlags(flags);
  const startMetrics = metricsFromFlags(flags);
  // Loaded here, not above, so that building the program for --help does not load the service or a sink.
  const [{ openSink }, { loadTenantTokens, startTenantsServer }, { processRegistry }] = await Promise.all([
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
    await serveUntilAborted(stop.signal, server);
    logger.info("tenants service stopped");
    return EXIT_OK;
  } finally {
    stop.dispose();
    await metrics?.close();
    await sink.close();
  }
}
