import { createEventsClient } from "../../client/events-client.js";
import { parseListenAddress } from "../../grpc/listen-address.js";
import {
  HmacAnonymizer,
  MemoAnonymizer,
  FileCursorStore,
  createGrpcSubmitter,
  JsonFileUsageSource,
  UsageReporter,
} from "../../reporter/index.js";
import { Reporter } from "../../reporter/reporter.js";
import { RETRY_DEFAULTS } from "../../reporter/retry-policy.js";
import { metricsFromFlags, type MetricsEndpoint } from "../server-flags.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { readSecret, readSecretBytes } from "../secrets.js";
import { abortOnSignals } from "../signals.js";
import { EXIT_OK, UsageError } from "../usage-error.js";
import { processRegistry } from "../../observability/process-metrics.js";
import { VERSION } from "../version.js";

interface ReportFlags extends LogFlags {
  server: string;
  serverTokenFile?: string;
  serverTlsCa?: string;
  tenants: string;
  tenantTokenFile?: string;
  tenantsTlsCa?: string;
  anonymizationKeyFile?: string;
  cursorFile: string;
  batchSize: number;
  batchInterval: number;
  maxInFlightBatches: number;
  untilCaughtUp: boolean;
  usageFile?: string;
  usageInterval: number;
  metricsListen?: string;
  metricsListenPublic?: boolean;
}

/**
 * `tenant-events report`: events server → anonymized activity → tenants service, checkpointing the cursor
 * after each acknowledged batch. Runs until SIGTERM (then delivers the batch in hand and saves), or with
 * --until-caught-up until everything present at start is acknowledged.
 */
export async function run(flags: ReportFlags): Promise<number> {
  const logger = loggerFromFlags(flags);
  const key = await readSecretBytes(
    flags.anonymizationKeyFile,
    "TENANT_EVENTS_ANONYMIZATION_KEY",
    "anonymization key",
  );
  if (key === undefined) {
    throw new UsageError(
      "an anonymization key is required: --anonymization-key-file or TENANT_EVENTS_ANONYMIZATION_KEY",
    );
  }
  const tenantToken = await readSecret(flags.tenantTokenFile, "TENANT_EVENTS_TENANT_TOKEN", "tenant token");
  if (tenantToken === undefined) {
    throw new UsageError("a tenant token is required: --tenant-token-file or TENANT_EVENTS_TENANT_TOKEN");
  }
  const serverToken = await readSecret(
    flags.serverTokenFile,
    "TENANT_EVENTS_SERVER_TOKEN",
    "events server token",
  );
  parseListenAddress(flags.server);
  parseListenAddress(flags.tenants);
  const startMetrics = metricsFromFlags(flags);

  const registry = processRegistry({ version: VERSION, command: "report" });
  const source = await createEventsClient(flags.server, {
    token: serverToken,
    tls: flags.serverTlsCa === undefined ? undefined : { caPath: flags.serverTlsCa },
    logger,
    registry,
  });
  const submitter = await createGrpcSubmitter(flags.tenants, {
    token: tenantToken,
    tls: flags.tenantsTlsCa === undefined ? undefined : { caPath: flags.tenantsTlsCa },
    registry,
  });
  // One memo for both: the usage reports name the clusters the events do.
  const anonymizer = new MemoAnonymizer(new HmacAnonymizer(key));
  const reporter = new Reporter({
    source,
    submitter,
    cursorStore: new FileCursorStore(flags.cursorFile),
    anonymizer,
    logger,
    registry,
    batchSize: flags.batchSize,
    batchInterval: flags.batchInterval,
    maxInFlightBatches: flags.maxInFlightBatches,
    untilCaughtUp: flags.untilCaughtUp,
  });
  const usage =
    flags.usageFile === undefined
      ? undefined
      : new UsageReporter({
          source: new JsonFileUsageSource(flags.usageFile),
          submitter,
          anonymizer,
          interval: flags.usageInterval,
          retry: RETRY_DEFAULTS,
          logger,
          registry,
        });
  const stop = abortOnSignals((sig) =>
    logger.info({ signal: sig }, "stopping: delivering the batch in hand"),
  );
  const usageStop = new AbortController();
  let metrics: MetricsEndpoint | undefined;
  try {
    metrics = await startMetrics(registry);
    logger.info(
      { server: flags.server, tenants: flags.tenants, cursorFile: flags.cursorFile },
      "reporter started",
    );
    // Usage reports go on while the reporter runs, and stop with it (shutdown, caught up, or failed).
    const reporting = usage?.run(AbortSignal.any([stop.signal, usageStop.signal]));
    try {
      const result = await reporter.run(stop.signal);
      logger.info(result, "reporter stopped");
    } finally {
      usageStop.abort();
      await reporting;
    }
    return EXIT_OK;
  } finally {
    stop.dispose();
    await metrics?.close();
    source.close();
    submitter.close();
  }
}
