import { hashToken } from "../../tenants/index.js";
import { readSecret } from "../secrets.js";
import { EXIT_OK, UsageError } from "../usage-error.js";

interface HashTokenFlags {
  tokenFile?: string;
}

/** `tenant-events hash-token`: prints the SHA-256 of a tenant token, for the tenants service's tokens file. */
export async function run(flags: HashTokenFlags): Promise<number> {
  const token = await readSecret(flags.tokenFile, "TENANT_EVENTS_TOKEN", "token");
  if (token === undefined) throw new UsageError("give the token with --token-file or TENANT_EVENTS_TOKEN");
  process.stdout.write(`${hashToken(token)}\n`);
  return EXIT_OK;
}
