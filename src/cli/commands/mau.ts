import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import type { Command } from "commander";
import { isDomainError } from "../../errors/errors.js";
import { parseSinkSpec, type SinkSpec } from "../../store/sink-spec.js";
import { DAY_MS, dayOf, monthEnd, type MonthRange, monthStart, parseMonthRange } from "../../mau/calendar.js";
import {
  MAU_COLUMNS,
  ROLLING_COLUMNS,
  USAGE_COLUMNS,
  formatRows,
  parseOutputFormat,
} from "../../mau/format/index.js";
import { validateTenantId } from "../../activity/tenant-id.js";
import type { UsageQueries } from "../../mau/usage-queries.js";
import type { MauRow, RollingMauRow } from "../../mau/usage-rows.js";
import { defineCommand } from "../define-command.js";
import { envOption } from "../env-option.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { awsOptions, logOptions, sinkOption } from "../shared-flags.js";
import { abortOnSignals } from "../signals.js";
import { EXIT_OK, UsageError } from "../usage-error.js";

export interface MauFlags extends LogFlags {
  /** Any form of SINK_FORMS (src/store/sink-spec.ts). */
  sink: string;
  /** `YYYY-MM` or `YYYY-MM..YYYY-MM`. */
  month: string;
  tenant?: string;
  includeBots?: boolean;
  /** table (default), json or csv. */
  format?: string;
  /** mau (default), rolling or usage. */
  show?: string;
  /** Also write an SVG chart of MAU per protocol and the rolling series to this file. */
  chart?: string;
  /** Timestream only. */
  endpoint?: string;
  region?: string;
}

export interface MauIo {
  /** Default process.stdout. */
  stdout?: Writable;
  /** Default `() => new Date()`: the rolling series stops at today. */
  now?: () => Date;
}

const SHOW = ["mau", "rolling", "usage"] as const;
type Show = (typeof SHOW)[number];

/** The rolling series the chart and `--show rolling` use. */
const ROLLING_WINDOW_DAYS = 30;

/** `tenant-events mau` and its flags. */
export function mauCommand(): Command {
  return defineCommand(
    "mau",
    "monthly active users per month and protocol, from a sink",
    [
      sinkOption().makeOptionMandatory(),
      envOption(
        "--month <YYYY-MM[..YYYY-MM]>",
        "a calendar month (UTC) or an inclusive range",
      ).makeOptionMandatory(),
      envOption("--tenant <id>", "only this tenant (default: every tenant)"),
      envOption("--include-bots", "also count bots, as rows of their own", false),
      envOption("--format <format>", "output format").choices(["table", "json", "csv"]).default("table"),
      envOption(
        "--show <what>",
        `mau per month, the rolling ${ROLLING_WINDOW_DAYS}-day series, or the latest usage reports`,
      )
        .choices(SHOW)
        .default("mau"),
      envOption("--chart <file.svg>", "also write an SVG chart of MAU per protocol and the rolling series"),
      ...awsOptions("Timestream query endpoint URL; default: AWS"),
      ...logOptions(),
    ],
    (flags: MauFlags) => run(flags),
  );
}

/**
 * `tenant-events mau`: MAU per tenant, month and protocol from the sink's records (humans; bots with
 * --include-bots), the rolling 30-day series (--show rolling) or the latest usage reports before the end
 * of the last month (--show usage), as an aligned table, one JSON array or CSV on stdout. --chart also
 * writes an SVG chart of the months (MAU per protocol and the rolling series).
 */
export async function run(flags: MauFlags, io: MauIo = {}): Promise<number> {
  const sink = input(() => parseSinkSpec(flags.sink));
  const months = input(() => parseMonthRange(flags.month));
  const tenant =
    flags.tenant === undefined ? undefined : input(() => validateTenantId(flags.tenant as string));
  const format = input(() => parseOutputFormat(flags.format ?? "table"));
  const show = parseShow(flags.show ?? "mau");
  if (flags.chart !== undefined && flags.chart.trim() === "")
    throw new UsageError("--chart needs a file name");
  checkSinkOptions(sink, flags);
  const stdout = io.stdout ?? process.stdout;
  const now = io.now ?? (() => new Date());
  const logger = await loggerFromFlags(flags);
  // Loaded here, not above, so that building the program for --help does not load the stores.
  const { openUsageQueries } = await import("../../store/open-store.js");
  const queries = await input(() =>
    openUsageQueries(sink, {
      timestream: {
        ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
        ...(flags.region === undefined ? {} : { region: flags.region }),
      },
    }),
  );
  const stop = abortOnSignals();
  try {
    const options = { signal: stop.signal };
    const filter = { ...(tenant === undefined ? {} : { tenant }), includeBots: flags.includeBots ?? false };
    let monthly: MauRow[] | undefined;
    let rolling: RollingMauRow[] | undefined;
    const rollingRows = () => queryRolling(queries, months, filter, now(), stop.signal);
    let text: string;
    switch (show) {
      case "mau":
        monthly = await queries.monthlyActiveUsers({ ...filter, months }, options);
        text = formatRows(format, MAU_COLUMNS, monthly);
        break;
      case "rolling":
        rolling = await rollingRows();
        text = formatRows(format, ROLLING_COLUMNS, rolling);
        break;
      case "usage": {
        const before = monthEnd(months.to);
        const reports = await queries.latestUsageReports(
          { ...(tenant === undefined ? {} : { tenant }), before },
          options,
        );
        text = formatRows(format, USAGE_COLUMNS, reports);
        break;
      }
    }
    if (flags.chart !== undefined) {
      monthly ??= await queries.monthlyActiveUsers({ ...filter, months }, options);
      rolling ??= await rollingRows();
      const { renderMauChart } = await import("../../mau/chart/index.js");
      await writeFile(flags.chart, renderMauChart({ months, monthly, rolling }), "utf8");
      logger.info({ chart: flags.chart }, "chart written");
    }
    if (!stdout.write(text)) await once(stdout, "drain");
  } finally {
    stop.dispose();
    await queries.close();
  }
  return EXIT_OK;
}

/** The rolling series over the months, stopping at today (a day not over yet counts so far). */
async function queryRolling(
  queries: UsageQueries,
  months: MonthRange,
  filter: { tenant?: string; includeBots: boolean },
  now: Date,
  signal: AbortSignal,
): Promise<RollingMauRow[]> {
  const from = monthStart(months.from).getTime();
  const to = Math.min(monthEnd(months.to).getTime() - DAY_MS, dayOf(now));
  if (to < from) return [];
  return queries.rollingActiveUsers({ ...filter, from, to, windowDays: ROLLING_WINDOW_DAYS }, { signal });
}

function parseShow(text: string): Show {
  const found = SHOW.find((s) => s === text);
  if (found === undefined) throw new UsageError(`--show "${text}": expected one of ${SHOW.join(", ")}`);
  return found;
}

function checkSinkOptions(sink: SinkSpec, flags: MauFlags): void {
  if (sink.kind === "timestream") return;
  for (const [flag, value] of [
    ["--endpoint", flags.endpoint],
    ["--region", flags.region],
  ] as const) {
    if (value !== undefined) throw new UsageError(`${flag} applies to a timestream: sink only`);
  }
}

/** Runs a parse step; an invalid-argument error becomes a UsageError (one line, exit code 2). */
function input<T>(parse: () => T): T;
function input<T>(parse: () => Promise<T>): Promise<T>;
function input<T>(parse: () => T | Promise<T>): T | Promise<T> {
  const asUsage = (err: unknown): never => {
    if (isDomainError(err) && err.kind === "invalid-argument") throw new UsageError(err.message);
    throw err;
  };
  try {
    const result = parse();
    return result instanceof Promise ? result.catch(asUsage) : result;
  } catch (err) {
    return asUsage(err);
  }
}
