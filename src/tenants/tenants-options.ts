import { MAX_REQUEST_BYTES } from "../activity/batch-limits.js";
import { EARLIEST_TIME_MS, MAX_FUTURE_SKEW_MS } from "../activity/time-bounds.js";
import { InvalidArgumentError } from "../errors/errors.js";
import type { Logger } from "../observability/logger.js";
import type { Registry } from "../observability/metrics.js";
import type { RateLimit } from "./rate-limiter.js";
import type { TenantTokens } from "./tenant-tokens.js";

export interface TenantsServiceOptions {
  /** Who may submit, as which tenant (see TenantTokens; `loadTenantTokens` reads the file). Required. */
  tokens: TenantTokens;
  /**
   * Whether a verified client certificate may identify a tenant (its names matched against
   * `client_cert_names`). Only meaningful when the server requires client certificates (mutual TLS).
   * Default false.
   */
  clientCertificates?: boolean;
  /** Most events in one SubmitEvents batch; more is RESOURCE_EXHAUSTED. Default 10 000. */
  maxBatchEvents?: number;
  /** Most reports in one SubmitUsageReports batch; more is RESOURCE_EXHAUSTED. Default 1 000. */
  maxBatchUsageReports?: number;
  /** Most encoded bytes of one request; more is RESOURCE_EXHAUSTED. Default 4 MiB. */
  maxBatchBytes?: number;
  /**
   * How far past the service's clock a record's time may be, ms. Default 15 minutes, the bound the
   * reporter checks against its own clock (src/activity/time-bounds.ts): narrowing it here makes the
   * service refuse whole batches the reporter lets through.
   */
  maxFutureSkewMs?: number;
  /** The earliest record time accepted. Default 2000-01-01T00:00:00Z, the reporter's bound too. */
  earliestTime?: Date;
  /** How many problems an INVALID_ARGUMENT message quotes (the rest are counted). Default 10. */
  maxReportedProblems?: number;
  /**
   * Per-tenant token bucket on events. Defaults: 2 000 events/s, bursts of 20 000. `eventsPerSecond:
   * Infinity` disables it; `burst` must be at least `maxBatchEvents`, or a full batch could never pass.
   */
  rateLimit?: Partial<RateLimit>;
  /** Clock, epoch ms, for time bounds and the rate limit. Default Date.now. */
  now?: () => number;
  /** Default silentLogger. */
  logger?: Logger;
  /** Registry for the service's metrics. Default: a private one (not exported). */
  registry?: Registry;
}

export const TENANTS_DEFAULTS = {
  clientCertificates: false,
  maxBatchEvents: 10_000,
  maxBatchUsageReports: 1_000,
  maxBatchBytes: MAX_REQUEST_BYTES,
  maxFutureSkewMs: MAX_FUTURE_SKEW_MS,
  earliestTime: new Date(EARLIEST_TIME_MS),
  maxReportedProblems: 10,
  rateLimit: { eventsPerSecond: 2_000, burst: 20_000 },
} as const;

/** The options with every default applied and checked. */
export interface TenantsSettings {
  tokens: TenantTokens;
  clientCertificates: boolean;
  maxBatchEvents: number;
  maxBatchUsageReports: number;
  maxBatchBytes: number;
  maxFutureSkewMs: number;
  earliestMs: number;
  maxReportedProblems: number;
  rateLimit: RateLimit;
  now: () => number;
  logger: Logger | undefined;
  registry: Registry | undefined;
}

/** Applies the defaults once. @throws InvalidArgumentError naming a bad option */
export function tenantsSettings(options: TenantsServiceOptions): TenantsSettings {
  const d = TENANTS_DEFAULTS;
  const settings: TenantsSettings = {
    tokens: options.tokens,
    clientCertificates: options.clientCertificates ?? d.clientCertificates,
    maxBatchEvents: options.maxBatchEvents ?? d.maxBatchEvents,
    maxBatchUsageReports: options.maxBatchUsageReports ?? d.maxBatchUsageReports,
    maxBatchBytes: options.maxBatchBytes ?? d.maxBatchBytes,
    maxFutureSkewMs: options.maxFutureSkewMs ?? d.maxFutureSkewMs,
    earliestMs: (options.earliestTime ?? d.earliestTime).getTime(),
    maxReportedProblems: options.maxReportedProblems ?? d.maxReportedProblems,
    rateLimit: {
      eventsPerSecond: options.rateLimit?.eventsPerSecond ?? d.rateLimit.eventsPerSecond,
      burst: options.rateLimit?.burst ?? d.rateLimit.burst,
    },
    now: options.now ?? Date.now,
    logger: options.logger,
    registry: options.registry,
  };
  for (const name of [
    "maxBatchEvents",
    "maxBatchUsageReports",
    "maxBatchBytes",
    "maxReportedProblems",
  ] as const) {
    positiveInteger(settings[name], name);
  }
  if (!(Number.isFinite(settings.maxFutureSkewMs) && settings.maxFutureSkewMs >= 0)) {
    throw new InvalidArgumentError(`tenants option maxFutureSkewMs must be a non-negative number of ms`);
  }
  if (Number.isNaN(settings.earliestMs))
    throw new InvalidArgumentError("tenants option earliestTime is invalid");
  const { eventsPerSecond, burst } = settings.rateLimit;
  if (!(eventsPerSecond > 0)) {
    throw new InvalidArgumentError(
      "tenants option rateLimit.eventsPerSecond must be positive (Infinity disables it)",
    );
  }
  if (eventsPerSecond !== Infinity) {
    positiveInteger(burst, "rateLimit.burst");
    if (burst < settings.maxBatchEvents) {
      throw new InvalidArgumentError(
        `tenants option rateLimit.burst (${burst}) must be at least maxBatchEvents (${settings.maxBatchEvents}), ` +
          `or a full batch could never pass`,
      );
    }
  }
  return settings;
}

function positiveInteger(value: number, name: string): void {
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new InvalidArgumentError(`tenants option ${name} must be a positive integer, got ${value}`);
  }
}
