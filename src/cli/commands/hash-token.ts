import type { Command } from "commander";
import { defineCommand } from "../define-command.js";
import { readSecret } from "../secrets.js";
import { tokenFileOption } from "../shared-flags.js";
import { EXIT_OK, UsageError } from "../usage-error.js";

interface HashTokenFlags {
  tokenFile?: string;
}

/** `tenant-events hash-token` and its flag. */
export function hashTokenCommand(): Command {
  return defineCommand(
    "hash-token",
    "prints the SHA-256 of a token, as the tenants service's tokens file wants it",
    [tokenFileOption("file holding the token")],
    run,
  );
}

/** `tenant-events hash-token`: prints the SHA-256 of a tenant token, for the tenants service's tokens file. */
export async function run(flags: HashTokenFlags): Promise<number> {
  const token = await readSecret(flags.tokenFile, "TENANT_EVENTS_TOKEN", "token");
  if (token === undefined) throw new UsageError("give the token with --token-file or TENANT_EVENTS_TOKEN");
  // Loaded here, not above, so that building the program for --help does not load the tenants service.
  const { hashToken } = await import("../../tenants/index.js");
  process.stdout.write(`${hashToken(token)}\n`);
  return EXIT_OK;
}
