import { once } from "node:events";
import type { Command } from "commander";
import type { CursorMode } from "../../cursor/cursor-mode.js";
import { decodeCursor } from "../../cursor/cursor.js";
import { parseListenAddress } from "../../grpc/listen-address.js";
import type { OneOf } from "../../gen/events/events.js";
import { defineCommand } from "../define-command.js";
import { envOption } from "../env-option.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { readSecret } from "../secrets.js";
import { eventsServerOption, logOptions, tokenFileOption } from "../shared-flags.js";
import { abortOnSignals } from "../signals.js";
import { EXIT_OK } from "../usage-error.js";

interface StreamFlags extends LogFlags {
  server: string;
  cursor: string;
  follow: boolean;
  json: boolean;
  cursors: CursorMode;
  tokenFile?: string;
  tls: boolean;
  tlsCa?: string;
}

/** `tenant-events stream` and its flags. */
export function streamCommand(): Command {
  return defineCommand(
    "stream",
    "prints events from an events server, with their cursors",
    [
      eventsServerOption(),
      envOption("--cursor <cursor>", 'resume after this cursor (from a previous run); "" starts afresh', ""),
      envOption("--follow", "keep streaming new events (default: exit once caught up)", false),
      envOption("--json", 'one JSON line per event: {"event": {...}, "cursor": "..."}', false),
      envOption(
        "--cursors <mode>",
        'which events carry a cursor: every-event, or checkpoints (the others get ""; a checkpoint ' +
          "may come without an event, printed with event null; far fewer bytes over many DynamoDB shards)",
        "every-event",
      ).choices(["every-event", "checkpoints"]),
      tokenFileOption("bearer token to present"),
      envOption("--tls", "connect with TLS", false),
      envOption("--tls-ca <file>", "CA to verify the server's certificate (PEM); implies --tls"),
      ...logOptions(),
    ],
    run,
  );
}

/**
 * `tenant-events stream`: prints events with their cursors. Without --follow it exits once it has caught
 * up with what the log held when it started. The last cursor goes to stderr so a rerun can resume.
 */
export async function run(flags: StreamFlags): Promise<number> {
  // Bad input fails before connecting: exit 2.
  decodeCursor(flags.cursor);
  parseListenAddress(flags.server);
  const logger = await loggerFromFlags(flags);
  // Loaded here, not above, so that building the program for --help does not load the client.
  const [{ createEventsClient }, { formatEvent }, summary] = await Promise.all([
    import("../../client/events-client.js"),
    import("../../events/codec.js"),
    summarizer(),
  ]);
  const token = await readSecret(flags.tokenFile, "TENANT_EVENTS_TOKEN", "token");
  const tls = flags.tls || flags.tlsCa !== undefined ? { caPath: flags.tlsCa } : undefined;
  // A one-shot read gives up on an unreachable server; a follower waits for it as long as it takes.
  const backoff = flags.follow ? {} : { giveUpAfter: ONE_SHOT_GIVE_UP_MS };
  const client = await createEventsClient(flags.server, { token, tls, logger, backoff });
  const stop = abortOnSignals();
  let last = flags.cursor;
  let count = 0;
  try {
    for await (const item of client.streamEvents(flags.cursor, {
      signal: stop.signal,
      untilCaughtUp: !flags.follow,
      cursors: flags.cursors,
    })) {
      if (item.cursor !== "") last = item.cursor;
      const { event } = item;
      let line: string;
      if (flags.json) {
        line = `{"event":${event ? formatEvent(event) : "null"},"cursor":${JSON.stringify(item.cursor)}}\n`;
      } else if (event !== undefined) {
        line = `${summary(event)}\n`;
      } else {
        continue;
      }
      if (!process.stdout.write(line)) await once(process.stdout, "drain");
      if (event !== undefined) count += 1;
    }
  } finally {
    stop.dispose();
    client.close();
  }
  if (!flags.json) process.stderr.write(`${count} event(s); resume with --cursor '${last}'\n`);
  return EXIT_OK;
}

/** How long `stream` without --follow keeps reconnecting to an unreachable server before it fails. */
const ONE_SHOT_GIVE_UP_MS = 15_000;

/** One readable line for an event: time, type, user (or "-"). */
async function summarizer(): Promise<(event: OneOf) => string> {
  const [{ eventTime, eventType }, { getUser }] = await Promise.all([
    import("../../events/metadata.js"),
    import("../../events/active-user.js"),
  ]);
  return (event) => {
    const time = eventTime(event)?.toISOString() ?? "-";
    return `${time}  ${eventType(event).padEnd(30)}  ${getUser(event) || "-"}`;
  };
}
