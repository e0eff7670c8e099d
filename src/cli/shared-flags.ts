import type { Option } from "commander";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS } from "../grpc/server-limits.js";
import { DEFAULT_EVENTS_LISTEN } from "../server/events-server-defaults.js";
import { SINK_FORMS } from "../store/sink-spec.js";
import { envOption } from "./env-option.js";
import { formatDuration, parseAuditLogSpec, parseDuration, parsePositiveInt } from "./parsers.js";

/**
 * The flags several commands take, declared once; each command adds the groups it needs. What the flags
 * mean at run time is read by logging.ts, server-flags.ts and the commands themselves.
 */

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** --log-level and --log-format; `defaultLevel` is "info" unless a command is quieter by default. */
export function logOptions(defaultLevel: (typeof LOG_LEVELS)[number] = "info"): Option[] {
  return [
    envOption("--log-level <level>", "log level").choices(LOG_LEVELS).default(defaultLevel),
    envOption("--log-format <format>", "log format (auto: pretty on a terminal, JSON otherwise)")
      .choices(["auto", "json", "pretty"])
      .default("auto"),
  ];
}

/** --endpoint (what it points at differs by command) and --region. */
export function awsOptions(endpointHelp: string): Option[] {
  return [
    envOption("--endpoint <url>", endpointHelp),
    envOption("--region <region>", "AWS region; default: from the AWS configuration chain"),
  ];
}

/** --metrics-listen and --metrics-listen-public, read by `metricsFromFlags`. */
export function metricsOptions(): Option[] {
  return [
    envOption(
      "--metrics-listen <host:port>",
      "serve Prometheus metrics on this address (loopback only, unless --metrics-listen-public)",
    ),
    envOption(
      "--metrics-listen-public",
      "allow --metrics-listen beyond loopback: /metrics is plain HTTP without authentication and shows " +
        "tenant ids, event and batch counts and stream lag",
      false,
    ),
  ];
}

/** A server's --tls-cert, --tls-key and --tls-client-ca, read by `serverTlsFromFlags`. */
export function serverTlsOptions(clientCaHelp: string): Option[] {
  return [
    envOption("--tls-cert <file>", "TLS certificate (PEM)"),
    envOption("--tls-key <file>", "TLS private key (PEM)"),
    envOption("--tls-client-ca <file>", clientCaHelp),
  ];
}

/** A server's --max-connections and --handshake-timeout; unset, the server applies the same defaults. */
export function connectionLimitOptions(): Option[] {
  return [
    envOption(
      "--max-connections <n>",
      `open connections at most; more are closed at once (default: ${DEFAULT_MAX_CONNECTIONS})`,
      parsePositiveInt,
    ),
    envOption(
      "--handshake-timeout <duration>",
      "time a new connection has to finish its TLS and HTTP/2 handshake and start a call " +
        `(default: ${formatDuration(DEFAULT_HANDSHAKE_TIMEOUT_MS)})`,
      parseDuration,
    ),
  ];
}

/** The forms --audit-log takes, as `parseAuditLogSpec` reads them. */
export const AUDIT_LOG_FORMS = "file:DIR or dynamodb:TABLE";

/** --audit-log, parsed into an AuditLogSpec. */
export function auditLogOption(description = `audit log: ${AUDIT_LOG_FORMS}`): Option {
  return envOption("--audit-log <spec>", description).argParser(parseAuditLogSpec);
}

/** Every form --sink takes, one a backend of the store opener. */
export function sinkForms(): string {
  const forms = Object.values(SINK_FORMS);
  return forms.length === 1 ? forms.join("") : `${forms.slice(0, -1).join(", ")} or ${forms.at(-1)}`;
}

/** --sink; `note` (e.g. a default the command works out itself) follows the forms in parentheses. */
export function sinkOption(note?: string): Option {
  return envOption("--sink <spec>", `sink: ${sinkForms()}${note === undefined ? "" : ` (${note})`}`);
}

/** --server, the events server a client command reads from. */
export function eventsServerOption(): Option {
  return envOption("--server <host:port>", "events server address", DEFAULT_EVENTS_LISTEN);
}

/** --token-file for the bearer token of the events server, which TENANT_EVENTS_TOKEN may also hold. */
export function tokenFileOption(what: string): Option {
  return envOption("--token-file <file>", `${what} (or TENANT_EVENTS_TOKEN)`);
}
