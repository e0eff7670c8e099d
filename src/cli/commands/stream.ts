import { once } from "node:events";
import type { CursorMode } from "../../cursor/cursor-mode.js";
import { createEventsClient } from "../../client/events-client.js";
import { decodeCursor } from "../../cursor/cursor.js";
import { parseListenAddress } from "../../grpc/listen-address.js";
import { formatEvent } from "../../events/codec.js";
import { eventTime, eventType } from "../../events/metadata.js";
import { getUser } from "../../events/active-user.js";
import type { OneOf } from "../../gen/events/events.js";
import { loggerFromFlags, type LogFlags } from "../logging.js";
import { readSecret } from "../secrets.js";
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

/**
 * `tenant-events stream`: prints events with their cursors. Without --follow it exits once it has caught
 * up with what the log held when it started. The last cursor goes to stderr so a rerun can resume.
 */
export async function run(flags: StreamFlags): Promise<number> {
  // Bad input fails before connecting: exit 2.
  decodeCursor(flags.cursor);
  parseListenAddress(flags.server);
  const logger = loggerFromFlags(flags);
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

/** One readable line: time, type, user (or "-"). */
function summary(event: OneOf): string {
  const time = eventTime(event)?.toISOString() ?? "-";
  return `${time}  ${eventType(event).padEnd(30)}  ${getUser(event) || "-"}`;
}
