import { openSink } from "../../store/open-store.js";
import { loadTenantTokens, startTenantsServer } from "../../tenants/index.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { abortOnSignals } from "../signals.js";
import {
  metricsFromFlags,
  serveUntilAborted,
  serverTlsFromFlags,
  type MetricsEndpoint,
  type ServerTlsFlags,
} from "../server-flags.js";
import { EXIT_OK } from "../usage-error.js";
import { processRegistry } from "../../observability/process-metrics.js";
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

/**
 * `tenant-events tenants`: the central TenantsService over a sink, until SIGTERM/SIGINT; then in-flight
 * batches finish (and are acknowledged only once stored) before the sink is closed.
 */
export async function run(flags: TenantsFlags): Promise<number> {
  const logger = loggerFromFlags(flags);
  const tls = serverTlsFromFlags(flags);
  const startMetrics = metricsFromFlags(flags);
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
