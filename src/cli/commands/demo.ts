import { mkdir, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { AuditLog } from "../../auditlog/audit-log.js";
import type { AuditLogSpec } from "../../auditlog/open-audit-log.js";
import type { Logger } from "../../observability/logger.js";
import type { Registry } from "../../observability/metrics.js";
import { formatMonth, type MonthRange } from "../../mau/calendar.js";
import type { Sink } from "../../store/sink.js";
import type { DemoCredentials } from "../demo-credentials.js";
import { defineCommand } from "../define-command.js";
import { envOption } from "../env-option.js";
import { metricsFromFlags, type MetricsEndpoint } from "../server-flags.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { parsePositiveInt } from "../parsers.js";
import {
  AUDIT_LOG_FORMS,
  auditLogOption,
  awsOptions,
  logOptions,
  metricsOptions,
  sinkOption,
} from "../shared-flags.js";
import { abortOnSignals } from "../signals.js";
import { EXIT_OK } from "../usage-error.js";
import { run as runMau } from "./mau.js";
import { VERSION } from "../version.js";

interface DemoFlags extends LogFlags {
  data: string;
  auditLog?: AuditLogSpec;
  sink?: string;
  events: number;
  users: number;
  months: number;
  seed: number;
  follow: boolean;
  endpoint?: string;
  region?: string;
  metricsListen?: string;
  metricsListenPublic?: boolean;
}

/** `tenant-events demo` and its flags; its defaults are the demo's own, not a library's. */
export function demoCommand(): Command {
  return defineCommand(
    "demo",
    "the whole pipeline in one process on loopback: generates events, serves, reports, stores, prints MAU",
    [
      envOption("--data <dir>", "where the demo keeps all its state", ".demo"),
      auditLogOption(`use this audit log (${AUDIT_LOG_FORMS}) instead of generating one`),
      sinkOption("default: duckdb:<data>/usage.duckdb"),
      envOption(
        "--events <n>",
        "events to generate when there is no audit log yet",
        parsePositiveInt,
        30_000,
      ),
      envOption("--users <n>", "users in the generated events", parsePositiveInt, 150),
      envOption(
        "--months <n>",
        "full months of generated events, ending with last month (only when there is no audit log yet)",
        parsePositiveInt,
        3,
      ),
      envOption("--seed <n>", "seed of the generated events", parsePositiveInt, 1),
      envOption("--follow", "keep running and reporting new events until SIGTERM", false),
      ...awsOptions("AWS endpoint URL (DynamoDB Local, a Timestream test endpoint)"),
      ...metricsOptions(),
      ...logOptions("warn"),
    ],
    run,
  );
}

/**
 * `tenant-events demo` (`npm start`): the whole pipeline in one process over real loopback gRPC, with all
 * its state under --data. Generates a file audit log when none is given (and none is there yet), serves
 * it, runs the tenants service on DuckDB and the reporter until it has caught up (or, with --follow,
 * until SIGTERM), then prints MAU per month and protocol and writes the chart. A rerun resumes from the
 * saved cursor.
 */
export async function run(flags: DemoFlags): Promise<number> {
  const logger = await loggerFromFlags(flags);
  const startMetrics = metricsFromFlags(flags);
  // Loaded here, not above, so that building the program for --help does not load the pipeline.
  const [{ demoCredentials }, { openAuditLog }, { openStore }, { processRegistry }] = await Promise.all([
    import("../demo-credentials.js"),
    import("../../auditlog/open-audit-log.js"),
    import("../../store/open-store.js"),
    import("../../observability/process-metrics.js"),
  ]);
  const data = resolve(flags.data);
  await mkdir(data, { recursive: true });
  const credentials = await demoCredentials(join(data, "credentials"));
  let auditLogSpec: AuditLogSpec;
  if (flags.auditLog === undefined) {
    const dir = join(data, "audit-log");
    await generateIfEmpty(dir, flags);
    auditLogSpec = { kind: "file", dir };
  } else {
    auditLogSpec = flags.auditLog;
  }
  const sinkSpec = flags.sink ?? `duckdb:${join(data, "usage.duckdb")}`;
  const cursorFile = join(data, "cursor");
  const chartFile = join(data, "mau.svg");

  const registry = processRegistry({ version: VERSION, command: "demo" });
  const aws = {
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
  };
  const auditLog = await openAuditLog(auditLogSpec, { ...aws, logger, registry });
  const store = await openStore(sinkSpec, { logger, registry, timestream: aws });
  let metrics: MetricsEndpoint | undefined;
  let months: string | undefined;
  try {
    metrics = await startMetrics(registry);
    await runPipeline({
      auditLog,
      sink: store.sink,
      credentials,
      cursorFile,
      registry,
      logger,
      follow: flags.follow,
    });
    months =
      store.activityMonths === undefined
        ? recentMonths(flags.months)
        : formatMonths(await store.activityMonths());
  } finally {
    await metrics?.close();
    await store.close();
    await auditLog.close();
  }

  if (months === undefined) {
    process.stdout.write("no activity stored yet: nothing to count\n");
  } else {
    await runMau({
      sink: sinkSpec,
      month: months,
      chart: chartFile,
      format: "table",
      ...aws,
      logLevel: "warn",
    });
  }
  process.stdout.write(
    [
      "",
      `audit log:     ${describeAuditLog(auditLogSpec)}`,
      `sink:          ${sinkSpec}`,
      `cursor:        ${cursorFile}`,
      `credentials:   ${credentials.dir}`,
      ...(months === undefined ? [] : [`chart:         ${chartFile}`]),
      `query again:   npm run tenant-events -- mau --sink ${sinkSpec} --month ${months ?? "YYYY-MM"}`,
      "",
    ].join("\n"),
  );
  return EXIT_OK;
}

interface PipelineParts {
  auditLog: AuditLog;
  sink: Sink;
  credentials: DemoCredentials;
  cursorFile: string;
  registry: Registry;
  logger: Logger;
  follow: boolean;
}

/** Events server, tenants service and reporter over loopback; resolves once the reporter is done. */
async function runPipeline(parts: PipelineParts): Promise<void> {
  const { registry, logger } = parts;
  const [
    { startEventsServer },
    { loadTenantTokens, startTenantsServer },
    { createEventsClient },
    { HmacAnonymizer, MemoAnonymizer, FileCursorStore, createGrpcSubmitter },
    { Reporter },
  ] = await Promise.all([
    import("../../server/events-server.js"),
    import("../../tenants/index.js"),
    import("../../client/events-client.js"),
    import("../../reporter/index.js"),
    import("../../reporter/reporter.js"),
  ]);
  const events = await startEventsServer(parts.auditLog, { listen: "127.0.0.1:0", logger, registry });
  const tenants = await startTenantsServer(parts.sink, {
    tokens: await loadTenantTokens(parts.credentials.tenantTokensFile),
    listen: "127.0.0.1:0",
    logger,
    registry,
  });
  const source = await createEventsClient(`127.0.0.1:${events.port}`, { logger, registry });
  const submitter = await createGrpcSubmitter(`127.0.0.1:${tenants.port}`, {
    token: parts.credentials.tenantToken,
    registry,
  });
  const stop = abortOnSignals();
  const progress = startProgress(registry, parts.follow);
  try {
    const reporter = new Reporter({
      source,
      submitter,
      cursorStore: new FileCursorStore(parts.cursorFile),
      anonymizer: new MemoAnonymizer(new HmacAnonymizer(parts.credentials.anonymizationKey)),
      logger,
      registry,
      batchInterval: 1000,
      untilCaughtUp: !parts.follow,
    });
    await reporter.run(stop.signal);
  } finally {
    progress.stop();
    stop.dispose();
    source.close();
    submitter.close();
    await tenants.shutdown();
    await events.shutdown();
  }
}

/** One progress line a second on stderr (rewritten in place on a terminal). */
function startProgress(registry: Registry, follow: boolean): { stop: () => void } {
  const tty = process.stderr.isTTY === true;
  const read = async (name: string): Promise<number> => {
    const metric = registry.getSingleMetric(name);
    if (metric === undefined) return 0;
    const values = (await metric.get()).values;
    return values.reduce((sum, v) => sum + v.value, 0);
  };
  const show = async (final: boolean): Promise<void> => {
    const consumed = await read("tenant_events_reporter_events_consumed_total");
    const submitted = await read("tenant_events_reporter_events_submitted_total");
    const batches = await read("tenant_events_reporter_batches_submitted_total");
    const line = `reporter: ${consumed} audit events read, ${submitted} activity events stored in ${batches} batches${follow ? " (following; Ctrl-C to stop)" : ""}`;
    process.stderr.write(tty ? `\r${line}${final ? "\n" : ""}` : `${line}\n`);
  };
  const timer = setInterval(() => void show(false), 1000);
  return {
    stop: () => {
      clearInterval(timer);
      void show(true);
    },
  };
}

/** Writes synthetic events into a file audit log unless it already holds day files. */
async function generateIfEmpty(dir: string, flags: DemoFlags): Promise<void> {
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.some((name) => name.endsWith(".log"))) {
    process.stderr.write(
      `using the audit events already in ${dir} (--events, --months and --seed shape a new demo only: ` +
        `delete the directory to generate again)\n`,
    );
    return;
  }
  const [{ appendEvents }, { generateEvents }] = await Promise.all([
    import("../../auditlog/file/index.js"),
    import("../../generate/index.js"),
  ]);
  const start = monthsAgo(flags.months);
  process.stderr.write(
    `generating ${flags.events} audit events over ${flags.months} months from ${start}…\n`,
  );
  await appendEvents(
    dir,
    generateEvents({
      events: flags.events,
      users: flags.users,
      months: flags.months,
      seed: flags.seed,
      start,
    }),
  );
}

/** "YYYY-MM..YYYY-MM" (or one month) for the `mau` flag, undefined when no activity is stored. */
function formatMonths(range: MonthRange | undefined): string | undefined {
  if (range === undefined) return undefined;
  const [from, to] = [formatMonth(range.from), formatMonth(range.to)];
  return from === to ? from : `${from}..${to}`;
}

function describeAuditLog(spec: AuditLogSpec): string {
  return spec.kind === "file" ? `file:${spec.dir}` : `dynamodb:${spec.table}`;
}

/** The month `n` months before the current one (UTC), as YYYY-MM. */
function monthsAgo(n: number): string {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 1));
  return `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The `n` full months before the current one, for sinks the demo cannot ask for their range. */
function recentMonths(n: number): string {
  return n === 1 ? monthsAgo(1) : `${monthsAgo(n)}..${monthsAgo(1)}`;
}
