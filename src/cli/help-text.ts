/**
 * What each command's --help shows after its options: examples to copy, and the exit codes a script or
 * a restart policy can rely on.
 */

interface CommandHelp {
  examples: readonly string[];
  /** Exit codes beyond the common ones (0 success, 1 failure, 2 bad input). */
  exitCodes?: readonly string[];
}

const HELP: Record<string, CommandHelp> = {
  serve: {
    examples: [
      "tenant-events serve --audit-log file:/var/lib/teleport/log/events",
      "tenant-events serve --audit-log dynamodb:teleport-events --region eu-west-1 --metrics-listen 127.0.0.1:9463",
      "tenant-events serve --audit-log dynamodb:teleport-events --listen 0.0.0.0:50051 \\\n" +
        "    --tls-cert server.pem --tls-key server-key.pem --token-file events-token",
    ],
    exitCodes: ["0  stopped by SIGTERM or SIGINT after draining its streams"],
  },
  stream: {
    examples: [
      "tenant-events stream --server 127.0.0.1:50051",
      "tenant-events stream --json --follow --cursor '{\"shard_id_to_sequence_number\":{...}}'",
    ],
    exitCodes: ["0  caught up with the log (or stopped, with --follow)"],
  },
  ingest: {
    examples: [
      "tenant-events ingest --audit-log dynamodb:teleport-events --endpoint http://localhost:8000 < events.jsonl",
      "tenant-events ingest --audit-log file:./log < events.jsonl",
    ],
    exitCodes: ["1  some lines were not events (each reported on stderr; the others were written)"],
  },
  report: {
    examples: [
      "tenant-events report --server 127.0.0.1:50051 --tenants tenants.example.com:443 \\\n" +
        "    --tenants-tls-ca ca.pem --tenant-token-file tenant-token \\\n" +
        "    --anonymization-key-file hmac-key --cursor-file /state/cursor",
    ],
    exitCodes: [
      "0  stopped by SIGTERM (batches in hand delivered) or caught up with --until-caught-up",
      "1  the tenants service refused the tenant or a batch for good; the cursor stays before it",
    ],
  },
  tenants: {
    examples: [
      "tenant-events tenants --tenant-tokens tokens.json --sink duckdb:./usage.duckdb",
      "tenant-events tenants --tenant-tokens tokens.json --sink postgres://mau@db/mau \\\n" +
        "    --listen 0.0.0.0:50052 --tls-cert server.pem --tls-key server-key.pem",
    ],
    exitCodes: ["0  stopped by SIGTERM or SIGINT after storing and answering the calls in flight"],
  },
  "hash-token": {
    examples: ["tenant-events hash-token < tenant-token"],
  },
  mau: {
    examples: [
      "tenant-events mau --sink duckdb:./usage.duckdb --month 2026-11",
      "tenant-events mau --sink postgres://mau@db/mau --month 2026-06..2026-11 --format csv",
    ],
  },
  generate: {
    examples: ["tenant-events generate --events 100000 --months 3 > events.jsonl"],
  },
  demo: {
    examples: ["tenant-events demo", "tenant-events demo --follow --metrics-listen 127.0.0.1:9464"],
  },
};

const COMMON_EXIT_CODES = [
  "0  success",
  "1  failure (one line on stderr says why)",
  "2  bad input: a flag, a variable or a file",
];

/** The text --help prints after a command's options. */
export function helpAfterOptions(command: string): string {
  const help = HELP[command];
  if (help === undefined) return "";
  const extra = help.exitCodes ?? [];
  const codes = [
    ...COMMON_EXIT_CODES.filter((c) => !extra.some((e) => e.startsWith(c.slice(0, 2)))),
    ...extra,
  ];
  codes.sort((a, b) => Number(a.slice(0, 2)) - Number(b.slice(0, 2)));
  return [
    "",
    "Examples:",
    ...help.examples.map((e) => `  ${e}`),
    "",
    "Exit codes:",
    ...codes.map((c) => `  ${c}`),
  ].join("\n");
}
