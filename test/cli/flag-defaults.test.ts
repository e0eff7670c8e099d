import { Help, type Command } from "commander";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLL_INTERVAL_MS } from "../../src/auditlog/file/index.js";
import {
  DEFAULT_DYNAMO_POLL_MS,
  DEFAULT_MAX_CONCURRENT_SHARD_READS,
} from "../../src/auditlog/dynamo/dynamo-audit-log.js";
import { buildProgram } from "../../src/cli/program.js";
import { formatDuration } from "../../src/cli/parsers.js";
import { DEFAULT_CLUSTERS, DEFAULT_MONTHS, DEFAULT_SEED, DEFAULT_USERS } from "../../src/generate/index.js";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS } from "../../src/grpc/grpc-server.js";
import { REPORTER_DEFAULTS } from "../../src/reporter/index.js";
import { DEFAULT_MAX_STREAMS } from "../../src/server/auth-service.js";
import { DEFAULT_EVENTS_LISTEN } from "../../src/server/events-server.js";
import {
  DEFAULT_TENANTS_LISTEN,
  EVENT_RETENTION_DEFAULTS,
  TENANTS_DEFAULTS,
} from "../../src/tenants/index.js";

const program = buildProgram();
const help = new Help();

/** The help line of a flag, as `<command> --help` shows it after the flag itself (unwrapped). */
function shown(command: string, flag: string): string {
  const found: Command | undefined = program.commands.find((c) => c.name() === command);
  const option = found?.options.find((o) => o.long === flag);
  expect(option, `${command} ${flag}`).toBeDefined();
  return help.optionDescription(option!);
}

/** What help shows as the flag's default: the text after "default: ", up to the next "," or ")". */
function shownDefault(command: string, flag: string): string | undefined {
  return /\bdefault: ([^,)]+)/.exec(shown(command, flag))?.[1];
}

describe("the defaults --help shows", () => {
  // Each flag stands for a library constant: a restated literal would drift from it unnoticed.
  it.each([
    ["serve", "--listen", JSON.stringify(DEFAULT_EVENTS_LISTEN)],
    ["serve", "--max-streams", String(DEFAULT_MAX_STREAMS)],
    ["serve", "--max-connections", String(DEFAULT_MAX_CONNECTIONS)],
    ["serve", "--handshake-timeout", formatDuration(DEFAULT_HANDSHAKE_TIMEOUT_MS)],
    ["serve", "--max-concurrent-shard-reads", String(DEFAULT_MAX_CONCURRENT_SHARD_READS)],
    ["stream", "--server", JSON.stringify(DEFAULT_EVENTS_LISTEN)],
    ["report", "--server", JSON.stringify(DEFAULT_EVENTS_LISTEN)],
    ["report", "--tenants", JSON.stringify(DEFAULT_TENANTS_LISTEN)],
    ["report", "--batch-size", String(REPORTER_DEFAULTS.batchSize)],
    ["report", "--batch-interval", formatDuration(REPORTER_DEFAULTS.batchInterval)],
    ["report", "--max-in-flight-batches", String(REPORTER_DEFAULTS.maxInFlightBatches)],
    ["report", "--until-caught-up", String(REPORTER_DEFAULTS.untilCaughtUp)],
    ["tenants", "--listen", JSON.stringify(DEFAULT_TENANTS_LISTEN)],
    ["tenants", "--max-connections", String(DEFAULT_MAX_CONNECTIONS)],
    ["tenants", "--handshake-timeout", formatDuration(DEFAULT_HANDSHAKE_TIMEOUT_MS)],
    ["tenants", "--max-batch-events", String(TENANTS_DEFAULTS.maxBatchEvents)],
    ["tenants", "--rate-limit", String(TENANTS_DEFAULTS.rateLimit.eventsPerSecond)],
    ["tenants", "--rate-burst", String(TENANTS_DEFAULTS.rateLimit.burst)],
    ["tenants", "--event-retention-interval", formatDuration(EVENT_RETENTION_DEFAULTS.intervalMs)],
    ["generate", "--users", JSON.stringify(String(DEFAULT_USERS))],
    ["generate", "--months", JSON.stringify(String(DEFAULT_MONTHS))],
    ["generate", "--seed", JSON.stringify(String(DEFAULT_SEED))],
    ["generate", "--clusters", JSON.stringify(String(DEFAULT_CLUSTERS))],
  ])("%s %s shows the library's default, %s", (command, flag, expected) => {
    expect(shownDefault(command, flag)).toBe(expected);
  });

  it("serve --poll-interval shows each audit log's own default", () => {
    expect(shown("serve", "--poll-interval")).toContain(
      `default: ${formatDuration(DEFAULT_DYNAMO_POLL_MS)} for DynamoDB, ` +
        `${formatDuration(DEFAULT_POLL_INTERVAL_MS)} for a file log`,
    );
  });

  it("parse to the library's values where the flag itself holds the default", () => {
    const value = (command: string, flag: string): unknown =>
      program.commands.find((c) => c.name() === command)?.options.find((o) => o.long === flag)?.defaultValue;
    expect(value("report", "--batch-size")).toBe(REPORTER_DEFAULTS.batchSize);
    expect(value("report", "--batch-interval")).toBe(REPORTER_DEFAULTS.batchInterval);
    expect(value("report", "--max-in-flight-batches")).toBe(REPORTER_DEFAULTS.maxInFlightBatches);
    expect(value("serve", "--listen")).toBe(DEFAULT_EVENTS_LISTEN);
    expect(value("tenants", "--listen")).toBe(DEFAULT_TENANTS_LISTEN);
  });
});
