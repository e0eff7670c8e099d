import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hashToken } from "../tenants/index.js";

/** The demo's generated secrets, kept under its data directory so a rerun reuses them. */
export interface DemoCredentials {
  /** The tenant's token for the tenants service. */
  tenantToken: string;
  /** The reporter's HMAC key. */
  anonymizationKey: Uint8Array;
  /** The tenants service's tokens file (the token's SHA-256 mapped to the demo tenant). */
  tenantTokensFile: string;
  dir: string;
}

export const DEMO_TENANT = "demo";

/** Loads the demo's credentials from `dir`, creating any that are missing (files readable by the owner only). */
export async function demoCredentials(dir: string): Promise<DemoCredentials> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tenantToken = await readOrCreate(join(dir, "tenant-token"), () =>
    randomBytes(24).toString("base64url"),
  );
  const key = await readOrCreate(join(dir, "anonymization-key"), () => randomBytes(32).toString("base64url"));
  const tenantTokensFile = join(dir, "tenant-tokens.json");
  await writeFile(
    tenantTokensFile,
    `${JSON.stringify({ tenants: [{ id: DEMO_TENANT, token_sha256: hashToken(tenantToken) }] }, null, 2)}\n`,
    { mode: 0o600 },
  );
  return { tenantToken, anonymizationKey: Buffer.from(key, "utf8"), tenantTokensFile, dir };
}

async function readOrCreate(path: string, create: () => string): Promise<string> {
  try {
    const existing = (await readFile(path, "utf8")).trim();
    if (existing !== "") return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const value = create();
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  return value;
}
