import type { Command } from "commander";
import { parseListenAddress } from "../../grpc/listen-address.js";
import { REPORTER_DEFAULTS } from "../../reporter/reporter-options.js";
import { RETRY_DEFAULTS } from "../../reporter/retry-policy.js";
import { DEFAULT_TENANTS_LISTEN } from "../../tenants/tenants-server-defaults.js";
import { defineCommand } from "../define-command.js";
import { envOption } from "../env-option.js";
import { metricsFromFlags, type MetricsEndpoint } from "../server-flags.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { parseDuration, parsePositiveInt } from "../parsers.js";
import { readSecret, readSecretBytes } from "../secrets.js";
import { eventsServerOption, logOptions, metricsOptions } from "../shared-flags.js";
import { abortOnSignals } from "../signals.js";
import { EXIT_OK, UsageError } from "../usage-error.js";
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

/** Between usage reports unless --usage-interval says otherwise, ms: the reporter itself has no default. */
const DEFAULT_USAGE_INTERVAL_MS = 3_600_000;

/** `tenant-events report` and its flags. */
export function reportCommand(): Command {
  return defineCommand(
    "report",
    "reporter: streams events, keeps those that make a user active, anonymizes and submits them",
    [
      eventsServerOption(),
      envOption("--server-token-file <file>", "token for the events server (or TENANT_EVENTS_SERVER_TOKEN)"),
      envOption("--server-tls-ca <file>", "connect to the events server with TLS, verified by this CA"),
      envOption("--tenants <host:port>", "tenants service address", DEFAULT_TENANTS_LISTEN),
      envOption(
        "--tenant-token-file <file>",
        "this tenant's token for the tenants service (or TENANT_EVENTS_TENANT_TOKEN)",
      ),
      envOption("--tenants-tls-ca <file>", "connect to the tenants service with TLS, verified by this CA"),
      envOption(
        "--anonymization-key-file <file>",
        "HMAC key for user and cluster names; never leaves the tenant (or TENANT_EVENTS_ANONYMIZATION_KEY)",
      ),
      envOption("--cursor-file <file>", "where the cursor is checkpointed").makeOptionMandatory(),
      envOption(
        "--batch-size <n>",
        "most events per SubmitEvents call",
        parsePositiveInt,
        REPORTER_DEFAULTS.batchSize,
      ),
      envOption(
        "--batch-interval <duration>",
        "longest an event waits in a batch",
        parseDuration,
        REPORTER_DEFAULTS.batchInterval,
      ),
      envOption(
        "--max-in-flight-batches <n>",
        "batches submitted at once while the next fills (the cursor is saved in order)",
        parsePositiveInt,
        REPORTER_DEFAULTS.maxInFlightBatches,
      ),
      envOption(
        "--until-caught-up",
        "exit 0 once everything present at start is acknowledged",
        REPORTER_DEFAULTS.untilCaughtUp,
      ),
      envOption("--usage-file <file>", "JSON resource counts to send with SubmitUsageReports"),
      envOption(
        "--usage-interval <duration>",
        "between usage reports",
        parseDuration,
        DEFAULT_USAGE_INTERVAL_MS,
      ),
      ...metricsOptions(),
      ...logOptions(),
    ],
    run,
  );
}

/**
 * `tenant-events report`: events server → anonymized activity → tenants service, checkpointing the cursor
 * after each acknowledged batch. Runs until SIGTERM (then delivers the batch in hand and saves), or with
 * --until-caught-up until everything present at start is acknowledged.
 */
export async function run(flags: ReportFlags): Promise<number> {
  const logger = await loggerFromFlags(flags);
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
  // Loaded here, not above, so that building the program for --help does not load the reporter.
  const [{ createEventsClient }, parts, { Reporter }, { processRegistry }] = await Promise.all([
    import("../../client/events-client.js"),
    import("../../reporter/index.js"),
    import("../../reporter/reporter.js"),
    import("../../observability/process-metrics.js"),
  ]);
  const {
    HmacAnonymizer,
    MemoAnonymizer,
    FileCursorStore,
    createGrpcSubmitter,
    JsonFileUsageSource,
    UsageReporter,
  } = parts;

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
